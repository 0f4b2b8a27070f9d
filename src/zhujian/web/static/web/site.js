/* Behaviour every page shares, kept out of the HTML so the Content-Security-Policy can
   forbid inline scripts and event-handler attributes:
   - the ☰ 菜单 button opens and closes the sidebar on narrow screens;
   - <select data-autosubmit> submits its form when changed;
   - <form data-confirm="…"> asks before submitting;
   - <button data-print> prints the page. */
(function () {
  "use strict";

  function init() {
    document.querySelectorAll(".menu-toggle").forEach(function (button) {
      button.addEventListener("click", function () {
        var open = document.body.classList.toggle("nav-open");
        button.setAttribute("aria-expanded", open ? "true" : "false");
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
