// The task page: the name of the chosen attachment beside our 选择文件 button (the browser's own
// file button would speak the browser's language).
(function () {
  var input = document.getElementById("attachment-file");
  var name = document.getElementById("attachment-name");
  if (!input || !name) return;
  input.addEventListener("change", function () {
    name.textContent = input.files.length ? input.files[0].name : name.dataset.none;
  });
})();
