/* The org-unit cascader (web/units.py): a 乡镇 select, a 村（社区） select and a search
   box, in place of one input that holds the chosen unit's code. The lists come from the
   scope-limited JSON endpoint in data-src. Without this script the input takes a code or
   a typed name. */
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { units: [] }; });
  }

  function setup(box) {
    var input = box.querySelector("input");
    if (!input || box.dataset.ready) return;
    box.dataset.ready = "1";
    var src = box.getAttribute("data-src");
    var id = input.id || "unit-" + Math.random().toString(36).slice(2);
    var labelled = input.labels && input.labels.length > 0;
    var town = el("select", { id: id, "data-uc": "town" });
    if (!labelled) town.setAttribute("aria-label", input.getAttribute("aria-label") || "乡镇（街道）");
    input.removeAttribute("aria-label");
    input.removeAttribute("placeholder");
    var village = el("select", { id: id + "_village", "aria-label": "村（社区）", "data-uc": "village" });
    var search = el("input", {
      type: "search", id: id + "_search", "aria-label": "按名称查找村（社区）或乡镇",
      placeholder: "输入村名查找", maxlength: "20", autocomplete: "off", "data-uc": "search",
    });
    var results = el("ul", { class: "uc-results", role: "listbox", "aria-label": "查找结果" });
    results.hidden = true;
    input.removeAttribute("id");
    input.type = "hidden";
    input.removeAttribute("required");
    box.appendChild(town);
    box.appendChild(village);
    box.appendChild(search);
    box.appendChild(results);
    village.hidden = true;
    var withVillages = {};

    function fill(select, units, first) {
      select.innerHTML = "";
      select.appendChild(el("option", { value: "" }, first));
      units.forEach(function (u) { select.appendChild(el("option", { value: u.code }, u.name)); });
    }
    function changed() {
      input.value = village.value || town.value;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function loadVillages(code, chosen) {
      if (!code || !withVillages[code]) {
        village.hidden = true;
        village.value = "";
        return Promise.resolve();
      }
      return getJSON(src + "parent=" + encodeURIComponent(code)).then(function (data) {
        fill(village, data.units, "（整个乡镇）");
        village.hidden = data.units.length === 0;
        village.value = chosen || "";
      });
    }
    town.addEventListener("change", function () {
      loadVillages(town.value).then(changed);
    });
    village.addEventListener("change", changed);

    function choose(unit) {
      var townCode = unit.township ? unit.township.code : unit.code;
      town.value = townCode;
      results.hidden = true;
      search.value = "";
      loadVillages(townCode, unit.township ? unit.code : "").then(changed);
    }
    var pending = 0;
    search.addEventListener("input", function () {
      var text = search.value.trim();
      var ticket = ++pending;
      if (!text) { results.hidden = true; return; }
      getJSON(src + "q=" + encodeURIComponent(text)).then(function (data) {
        if (ticket !== pending) return;
        results.innerHTML = "";
        if (!data.units.length) {
          results.appendChild(el("li", { class: "muted" }, "没有找到“" + text + "”"));
        }
        data.units.forEach(function (u) {
          var li = el("li", { role: "option" });
          var button = el("button", { type: "button" },
            u.name + (u.township ? "（" + u.township.name + "）" : ""));
          button.addEventListener("click", function () { choose(u); });
          li.appendChild(button);
          results.appendChild(li);
        });
        results.hidden = false;
      });
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        var first = results.querySelector("button");
        if (first) first.click();
      } else if (event.key === "Escape") {
        results.hidden = true;
      }
    });

    getJSON(src.replace(/[?&]$/, "")).then(function (data) {
      data.units.forEach(function (u) { withVillages[u.code] = u.villages; });
      fill(town, data.units, box.getAttribute("data-empty") || "请选择");
      var t = box.getAttribute("data-town");
      if (t) {
        town.value = t;
        loadVillages(t, box.getAttribute("data-village") || "");
      } else if (data.units.length === 1 && !input.value) {
        town.value = data.units[0].code;
        loadVillages(town.value).then(changed);
      }
      box.classList.add("is-ready");
    });
  }

  function init() { document.querySelectorAll(".unit-cascader").forEach(setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  document.addEventListener("htmx:afterSwap", init);
})();
