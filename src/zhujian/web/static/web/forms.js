/* Inline validation for record forms (form[data-validate]): a Chinese message under each
   field as soon as it is left, and on submit the first wrong field gets the focus. The
   server checks everything again (model clean() rules included). */
(function () {
  "use strict";

  function labelOf(el) {
    var label = el.id && document.querySelector('label[for="' + el.id + '"]');
    return label ? label.textContent.trim() : "此项";
  }

  function message(el) {
    var v = el.validity;
    if (v.valid) return "";
    var name = labelOf(el);
    if (v.valueMissing) return (el.tagName === "SELECT" ? "请选择" : "请填写") + name;
    if (v.badInput) return el.type === "date" ? "请输入有效日期，如 2022-05-01" : "请输入数字";
    if (v.rangeUnderflow) return name + "不能小于 " + el.min;
    if (v.rangeOverflow) return name + "不能大于 " + el.max;
    if (v.stepMismatch) return el.step === "1" || !el.step ? "请输入整数" : "请输入 " + el.step + " 的整数倍";
    if (v.tooLong) return name + "最多 " + el.maxLength + " 个字";
    if (v.typeMismatch) return name + "格式不正确";
    if (v.patternMismatch) return name + "格式不正确";
    return el.validationMessage;
  }

  function show(el) {
    var box = el.closest(".field");
    if (!box) return true;
    var id = (el.id || el.name) + "-inline-error";
    var note = document.getElementById(id);
    var text = message(el);
    if (!note) {
      note = document.createElement("small");
      note.id = id;
      note.className = "error";
      note.setAttribute("aria-live", "polite");
      el.insertAdjacentElement("afterend", note);
      var described = el.getAttribute("aria-describedby");
      el.setAttribute("aria-describedby", described ? described + " " + id : id);
    }
    note.textContent = text;
    note.hidden = !text;
    box.classList.toggle("has-error", !!text);
    if (text) el.setAttribute("aria-invalid", "true");
    else el.removeAttribute("aria-invalid");
    return !text;
  }

  document.querySelectorAll("form[data-validate]").forEach(function (form) {
    var fields = form.querySelectorAll("input:not([type=hidden]), select, textarea");
    fields.forEach(function (el) {
      el.addEventListener("blur", function () { show(el); });
      el.addEventListener("change", function () { show(el); });
      el.addEventListener("input", function () {
        if (el.getAttribute("aria-invalid")) show(el);
      });
    });
    form.addEventListener("submit", function (event) {
      var first = null;
      fields.forEach(function (el) {
        if (!show(el) && !first) first = el;
      });
      if (first) {
        event.preventDefault();
        first.focus();
      }
    });
  });
})();
