// File fields made by macros/file_pick.html: the chosen file's name beside our 选择文件 label
// (the browser's own file button would speak the browser's language).
(function () {
  document.querySelectorAll("input[type=file][data-shown-in]").forEach(function (input) {
    var name = document.getElementById(input.dataset.shownIn);
    if (!name) return;
    input.addEventListener("change", function () {
      name.textContent = input.files.length ? input.files[0].name : name.dataset.none;
    });
  });
})();
