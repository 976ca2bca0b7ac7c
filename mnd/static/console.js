// The console works without this script; it only previews the files chosen in a form.
"use strict";
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.dataset.preview) return;
  var box = document.getElementById(input.dataset.preview);
  if (!box) return;
  box.textContent = "";
  var file = input.files && input.files[0];
  if (!file) return;
  var size = (file.size / 1024).toFixed(0) + " KB";
  if (file.type === "image/jpeg" || file.type === "image/png") {
    var img = document.createElement("img");
    img.alt = "Vista previa de " + file.name;
    img.src = URL.createObjectURL(file);
    box.appendChild(img);
  }
  var note = document.createElement("p");
  note.textContent = file.name + " · " + size;
  box.appendChild(note);
});
