/* The search's normal form, shared by a page and the overview: ü as v (with a tone too: lǜ is
   lv), no tone marks, no case, no spaces or the punctuation of names. */
function redchainNorm(s) {
  "use strict";
  return String(s || "").normalize("NFD").replace(/u\u0308/gi, "v").replace(/[\u0300-\u036f]/g, "")
    .toLowerCase().replace(/[\s'’·\-_.,()（）]/g, "");
}

/* The search box's keys, shared by a page and the overview: the arrows move through the
   results, Enter calls enter(the active result button, or null), Escape closes the list. */
function redchainSearchKeys(input, results, render, enter) {
  "use strict";
  function moveActive(step) {
    var buttons = results.querySelectorAll("button"), at = -1;
    buttons.forEach(function (b, i) { if (b.classList.contains("active")) at = i; });
    if (!buttons.length) return;
    if (at >= 0) buttons[at].classList.remove("active");
    at = (at + step + buttons.length) % buttons.length;
    buttons[at].classList.add("active");
    buttons[at].scrollIntoView({ block: "nearest" });
  }
  input.addEventListener("input", render);
  input.addEventListener("focus", function () { if (input.value.trim()) render(); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (results.hidden) render();
      moveActive(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter") {
      enter(results.hidden ? null : results.querySelector("button.active"));
    } else if (event.key === "Escape") { results.hidden = true; }
  });
}
