// Buttons marked data-print open the browser's print dialogue (no inline handlers: the
// content security policy forbids them).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
