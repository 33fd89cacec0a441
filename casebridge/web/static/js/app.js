// Small behaviours that need script; the pages work without it.
// Warn a minute before the idle sign-out, and send the person to sign in again afterwards.
(function () {
  "use strict";
  const footer = document.querySelector(".site-footer");
  const minutes = parseInt(document.body.dataset.idleMinutes || "0", 10);
  if (!footer || !minutes) {
    return;
  }
  let warnTimer;
  let outTimer;
  function arm() {
    clearTimeout(warnTimer);
    clearTimeout(outTimer);
    warnTimer = setTimeout(function () {
      const note = document.getElementById("idle-warning");
      if (note) {
        note.hidden = false;
      }
    }, Math.max(minutes - 1, 0) * 60000);
    outTimer = setTimeout(function () {
      window.location.assign("/account/login/?next=" + encodeURIComponent(window.location.pathname));
    }, minutes * 60000 + 2000);
  }
  document.body.addEventListener("htmx:afterRequest", arm);
  arm();
})();

// Print buttons on documents.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});

// Signature pad: draw with a finger, stylus or mouse; the drawing goes into a hidden field.
document.querySelectorAll("[data-signature-pad]").forEach(function (canvas) {
  "use strict";
  const form = canvas.closest("form");
  const input = form ? form.querySelector("[data-signature-input]") : null;
  const clear = form ? form.querySelector("[data-signature-clear]") : null;
  const pen = canvas.getContext("2d");
  let drawing = false;
  pen.lineWidth = 2.5;
  pen.lineCap = "round";
  pen.strokeStyle = "#1b2430";
  function point(event) {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
  }
  canvas.addEventListener("pointerdown", function (event) {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    const [x, y] = point(event);
    pen.beginPath();
    pen.moveTo(x, y);
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) { return; }
    const [x, y] = point(event);
    pen.lineTo(x, y);
    pen.stroke();
  });
  function finish() {
    if (!drawing) { return; }
    drawing = false;
    if (input) { input.value = canvas.toDataURL("image/png"); }
  }
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointerleave", finish);
  if (clear) {
    clear.addEventListener("click", function () {
      pen.clearRect(0, 0, canvas.width, canvas.height);
      if (input) { input.value = ""; }
    });
  }
});

// Instrument skip logic: a question asked only after a given answer is hidden until then.
// data-ask-if lists "field:lowest answer" pairs; the question is asked when any of them holds
// (the AUDIT asks 4-8 when question 2 or question 3 scores 1 or more). Questions come in order,
// so a hidden question's cleared answer is seen by the questions after it in the same pass.
(function () {
  "use strict";
  const conditional = document.querySelectorAll("fieldset[data-ask-if]");
  if (!conditional.length) { return; }
  function holds(condition) {
    const [name, value] = condition.split(":");
    const chosen = document.querySelector("input[name='" + name + "']:checked");
    return chosen !== null && parseInt(chosen.value, 10) >= parseInt(value, 10);
  }
  function update() {
    conditional.forEach(function (fieldset) {
      const asked = fieldset.dataset.askIf.trim().split(/\s+/).some(holds);
      fieldset.hidden = !asked;
      if (!asked) {
        fieldset.querySelectorAll("input").forEach(function (input) { input.checked = false; });
      }
    });
  }
  document.addEventListener("change", update);
  update();
})();

// After htmx swaps in a result or an error, move focus to it so that keyboard and screen-reader
// users hear it and carry on from there, instead of being sent back to the top of the page.
document.body.addEventListener("htmx:afterSettle", function () {
  "use strict";
  const next = document.querySelector("[data-focus-after-swap]");
  if (next) {
    next.removeAttribute("data-focus-after-swap");
    next.focus();
  }
});

// A form that failed: move focus to what is wrong (the summary at the form's top), so a problem
// far down a long page is never out of sight. Also after htmx swaps a form back in.
(function () {
  "use strict";
  function focusProblems(root) {
    const summary = root.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
      summary.scrollIntoView({ block: "start" });
    }
  }
  focusProblems(document);
  document.body.addEventListener("htmx:afterSwap", function (event) {
    focusProblems(event.target);
  });
})();
