/* Behaviour every page shares, kept out of the HTML so the Content-Security-Policy can
   forbid inline scripts and event-handler attributes:
   - the ☰ 菜单 button opens and closes the sidebar on narrow screens;
   - <select data-autosubmit> submits its form when changed;
   - <form data-confirm="…"> asks before submitting;
   - <button data-print> prints the page;
   - the drawer (sidebar on a phone) closes on a tap outside it and on Esc;
   - the sidebar's search box shows only the ledgers whose names match;
   - a table.grid[data-cards] gets each cell's column name (data-label), so on a phone
     each row reads as a card (zhujian.css);
   - an <input data-asof-for="ID"> date writes 截至<date> into the period box ID;
   - a job's download link marked data-autodownload (the job finished while its page was
     open) downloads at once, without a second click. */
(function () {
  "use strict";

  // Parts that htmx may swap in later (a job's progress) get the same treatment.
  function enhance(root) {
    var tables = root.matches && root.matches("table.grid[data-cards]") ? [root] : [];
    root.querySelectorAll("table.grid[data-cards]").forEach(function (t) { tables.push(t); });
    tables.forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.replace(/[▲▼]/g, "").trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        Array.prototype.forEach.call(tr.children, function (cell, i) {
          if (heads[i] && !cell.hasAttribute("colspan")) cell.setAttribute("data-label", heads[i]);
        });
      });
    });
    // a job the user waited for: its file downloads as soon as it is ready (once)
    root.querySelectorAll("a[data-autodownload]").forEach(function (link) {
      var key = "zhujian-downloaded-" + link.getAttribute("data-autodownload");
      try {
        if (window.sessionStorage.getItem(key)) return;
        window.sessionStorage.setItem(key, "1");
      } catch (e) { /* storage off: download anyway */ }
      link.click();
    });
  }

  function init() {
    var toggles = document.querySelectorAll(".menu-toggle");
    function closeDrawer() {
      if (!document.body.classList.contains("nav-open")) return;
      document.body.classList.remove("nav-open");
      toggles.forEach(function (b) { b.setAttribute("aria-expanded", "false"); });
    }
    toggles.forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.stopPropagation();
        var open = document.body.classList.toggle("nav-open");
        button.setAttribute("aria-expanded", open ? "true" : "false");
        if (open) {
          var search = document.getElementById("nav-search");
          if (search) search.focus({ preventScroll: true });
        }
      });
    });
    document.addEventListener("click", function (event) {
      var sidebar = document.getElementById("sidebar");
      if (sidebar && !sidebar.contains(event.target)) closeDrawer();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && document.body.classList.contains("nav-open")) {
        closeDrawer();
        if (toggles[0]) toggles[0].focus();
      }
    });
    var navSearch = document.getElementById("nav-search");
    if (navSearch) {
      navSearch.addEventListener("input", function () {
        var words = navSearch.value.trim().toLowerCase();
        var shown = 0;
        var sidebar = document.getElementById("sidebar");
        sidebar.querySelectorAll(".drawer-links li, details[data-nav-group] li").forEach(function (li) {
          var hit = !words || li.textContent.toLowerCase().indexOf(words) >= 0;
          li.hidden = !hit;
          if (hit) shown += 1;
        });
        sidebar.querySelectorAll("details[data-nav-group]").forEach(function (group) {
          var title = group.querySelector("summary").textContent.toLowerCase();
          var titleHit = words && title.indexOf(words) >= 0;
          if (titleHit) group.querySelectorAll("li").forEach(function (li) { li.hidden = false; });
          var any = group.querySelector("li:not([hidden])");
          group.hidden = !!words && !any;
          if (words && any) group.open = true;
          if (titleHit) shown += 1;
        });
        var empty = sidebar.querySelector(".nav-empty");
        if (empty) empty.hidden = shown > 0;
      });
    }
    enhance(document);
    document.addEventListener("htmx:load", function (event) { enhance(event.target); });
    document.querySelectorAll("input[data-asof-for]").forEach(function (input) {
      input.addEventListener("change", function () {
        var target = document.getElementById(input.getAttribute("data-asof-for"));
        var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.value);
        if (target && m) target.value = "截至" + m[1] + "年" + Number(m[2]) + "月" + Number(m[3]) + "日";
      });
    });
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () {
        if (select.form) select.form.submit();
      });
    });
    document.querySelectorAll("button[data-print]").forEach(function (button) {
      button.addEventListener("click", function () {
        window.print();
      });
    });
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
