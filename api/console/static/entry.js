// Score entry grid: spreadsheet keys and validation as you type. The server decides:
// a cell flagged here is still sent, and the domain's refusal is what is shown after a save.
// Handlers are delegated from the document, so the grid htmx swaps in after a save works too.
"use strict";
(() => {
  const GRID = "table.grid";
  const CELL = "input[data-row], select[data-row]";
  const SCORE = /^-?\d+(\.\d{1,2})?$/;

  function cellAt(grid, row, col) {
    return grid.querySelector(`[data-row="${row}"][data-col="${col}"]`);
  }

  // The nearest cell from (row, col) in a direction, skipping cells that do not apply.
  function next(grid, from, dRow, dCol) {
    const rows = grid.tBodies[0].rows.length;
    const cols = grid.tHead.rows[0].cells.length - 1;
    let row = Number(from.dataset.row) + dRow;
    let col = Number(from.dataset.col) + dCol;
    while (row >= 0 && row < rows && col >= 0 && col < cols) {
      const found = cellAt(grid, row, col);
      if (found) return found;
      row += dRow;
      col += dCol;
    }
    return null;
  }

  function move(cell, dRow, dCol) {
    const target = next(cell.closest(GRID), cell, dRow, dCol);
    if (!target) return false;
    target.focus();
    return true;
  }

  // In a text cell the left/right arrows move the caret until it reaches the edge.
  function atEdge(cell, key) {
    if (cell.tagName !== "INPUT") return true;
    const start = cell.selectionStart, end = cell.selectionEnd, length = cell.value.length;
    if (start === 0 && end === length) return true; // the whole value is selected
    return key === "ArrowRight" ? end === length : start === 0;
  }

  document.addEventListener("keydown", (event) => {
    const cell = event.target;
    if (!(cell instanceof HTMLElement) || !cell.matches(CELL) || !cell.closest(GRID)) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return; // Alt+↓ opens a choice list
    const steps = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    let step = steps[event.key];
    if (event.key === "Enter") step = event.shiftKey ? [-1, 0] : [1, 0];
    if (!step) return;
    if ((event.key === "ArrowLeft" || event.key === "ArrowRight") && !atEdge(cell, event.key)) return;
    event.preventDefault(); // Enter must not submit the form; arrows must not change a choice
    move(cell, step[0], step[1]);
  });

  document.addEventListener("focusin", (event) => {
    const cell = event.target;
    if (cell instanceof HTMLInputElement && cell.matches(CELL)) cell.select();
  });

  // ---- validation as you type (for comfort: the server decides) -----------------------

  function score(text) {
    if (!SCORE.test(text)) return false;
    const value = Number(text);
    return value >= 0 && value <= 100;
  }

  function problem(cell) {
    const text = cell.value.trim();
    if (!text || cell.tagName === "SELECT") return "";
    const kind = cell.dataset.kind;
    if (kind === "score") return score(text) ? "" : "请填写 0–100 的分数，最多两位小数";
    if (kind === "points") {
      return SCORE.test(text) && Number(text) > 0 && Number(text) <= 100
        ? "" : "扣分须大于 0、至多 100，最多两位小数";
    }
    if (kind === "ballots") {
      const ballots = text.split(/[\s,，、;；]+/).filter(Boolean);
      const labels = cell.dataset.labels ? cell.dataset.labels.split(" ") : null;
      const bad = ballots.find((b) => (labels ? !labels.includes(b) : !score(b)));
      if (bad === undefined) return "";
      return labels ? `“${bad}”不是 ${labels.join("/")} 之一` : `“${bad}”不是 0–100 的分数`;
    }
    return "";
  }

  function check(cell) {
    const message = problem(cell);
    const live = document.getElementById("entry-live");
    if (message) {
      cell.setAttribute("aria-invalid", "true");
      cell.title = message;
      if (live) live.textContent = `${cell.getAttribute("aria-label") || ""}：${message}`;
    } else if (!cell.closest(".refused")) {
      cell.removeAttribute("aria-invalid");
      cell.removeAttribute("title");
      if (live) live.textContent = "";
    }
  }

  document.addEventListener("input", (event) => {
    const cell = event.target;
    if (cell instanceof HTMLInputElement && cell.closest(".entry") && cell.dataset.kind) check(cell);
  });

  // After a save: a refused cell takes the focus, else the notice is read out.
  document.addEventListener("htmx:afterSettle", () => {
    const refused = document.querySelector("#entry-area .refused [aria-invalid='true']");
    if (refused) refused.focus();
  });
})();
