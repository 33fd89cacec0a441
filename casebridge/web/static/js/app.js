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
