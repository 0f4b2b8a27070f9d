/* Report template editor: a searchable figure picker that inserts {{ figure.id }} at the
   cursor of the title or body field, then lets htmx refresh the live preview. */
(function () {
  "use strict";

  function init() {
    var form = document.getElementById("template-form");
    if (!form) return;
    var body = form.querySelector("textarea[name=body]");
    var title = form.querySelector("input[name=title]");
    var target = body; // the field the last figure goes into: the one focused last
    [body, title].forEach(function (el) {
      if (el) el.addEventListener("focus", function () { target = el; });
    });

    function insert(text) {
      if (!target || target.readOnly) return;
      var start = target.selectionStart, end = target.selectionEnd;
      if (typeof start !== "number") { start = end = target.value.length; }
      target.focus();
      target.setRangeText(text, start, end, "end");
      // htmx listens for keyup ("keyup changed delay:800ms"): let it see the new text.
      target.dispatchEvent(new Event("input", { bubbles: true }));
      target.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
    }

    document.querySelectorAll(".figure-pick").forEach(function (button) {
      button.addEventListener("click", function () {
        insert("{{ " + button.dataset.ref + " }}");
      });
    });

    var search = document.getElementById("figure-search");
    var counter = document.getElementById("figure-search-count");
    var groups = Array.prototype.slice.call(document.querySelectorAll(".figure-group"));
    var opened = groups.map(function (g) { return g.open; });
    if (search) {
      search.addEventListener("input", function () {
        var words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
        var shown = 0;
        groups.forEach(function (group, i) {
          var any = false;
          group.querySelectorAll("li").forEach(function (li) {
            var hay = li.querySelector(".figure-pick").dataset.search.toLowerCase();
            var hit = words.every(function (w) { return hay.indexOf(w) !== -1; });
            li.hidden = !hit;
            if (hit) { any = true; shown += 1; }
          });
          group.hidden = !any;
          group.open = words.length ? any : opened[i];
        });
        counter.textContent = words.length ? "找到 " + shown + " 个指标" : "";
      });
      search.addEventListener("keydown", function (event) {
        if (event.key === "Enter") event.preventDefault(); // do not submit the page's form
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
