// My generations: cards still being written ask the API for their status and reload once done.
(function () {
  "use strict";
  const gallery = document.getElementById("gallery");
  if (!gallery) return;
  const api = gallery.dataset.api;
  const waiting = Array.from(gallery.querySelectorAll("li.card"))
    .filter((card) => card.dataset.status === "pending" || card.dataset.status === "running");
  if (!waiting.length) return;
  let delay = 500;

  async function check() {
    for (const card of waiting) {
      try {
        const response = await fetch(api + card.dataset.id + "/", { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (!response.ok) continue;
        const data = await response.json();
        if (data.status === "succeeded" || data.status === "failed") {
          window.location.reload();
          return;
        }
      } catch (error) {
        // the next round tries again
      }
    }
    delay = Math.min(delay * 1.5, 5000);
    setTimeout(check, delay);
  }
  setTimeout(check, delay);
})();
