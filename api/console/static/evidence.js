// Evidence files (佐证材料): a form's drop zone puts dropped files into its file input
// (beside those already chosen), and lists what is chosen. Keyboard users use the picker.
"use strict";
(() => {
  function listChosen(zone, input) {
    const list = zone.querySelector(".chosen");
    if (!list) return;
    list.replaceChildren();
    for (const file of input.files) {
      const item = document.createElement("li");
      const kb = Math.max(1, Math.round(file.size / 1024));
      item.textContent = `${file.name}（${kb} KB）`;
      list.append(item);
    }
  }

  function setUp(zone) {
    const input = zone.querySelector("input[type=file]");
    if (!input) return;
    input.addEventListener("change", () => listChosen(zone, input));
    for (const name of ["dragenter", "dragover"]) {
      zone.addEventListener(name, (event) => {
        event.preventDefault();
        zone.classList.add("dragging");
      });
    }
    zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("dragging");
      const dropped = event.dataTransfer ? event.dataTransfer.files : [];
      if (!dropped.length) return;
      const all = new DataTransfer();
      for (const file of input.files) all.items.add(file);
      for (const file of dropped) all.items.add(file);
      input.files = all.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function setUpAll(root) {
    for (const zone of root.querySelectorAll("[data-dropzone]")) {
      if (zone.dataset.ready) continue;
      zone.dataset.ready = "1";
      setUp(zone);
    }
  }

  document.addEventListener("DOMContentLoaded", () => setUpAll(document));
  document.addEventListener("htmx:load", (event) => setUpAll(event.target));
})();
