// Datasets list: move each running download's progress bar, then reload once it is done
// (the new dataset appears in the list).
(function () {
  "use strict";
  const mib = (bytes) => (bytes / 1048576).toFixed(1) + " MB";
  document.querySelectorAll("tr.dataset-download[data-active='1']").forEach((row) => {
    const bar = row.querySelector("progress");
    const status = row.querySelector(".download-status");
    async function poll() {
      let data;
      try {
        const response = await fetch(row.dataset.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        data = await response.json();
      } catch (error) {
        setTimeout(poll, 3000);
        return;
      }
      if (data.bytes_total) {
        bar.max = data.bytes_total;
        bar.value = data.bytes_done;
      }
      status.textContent = data.status_display + (data.bytes_done ? " · " + mib(data.bytes_done) +
        (data.bytes_total ? " of " + mib(data.bytes_total) : "") : "");
      if (data.status === "queued" || data.status === "running") {
        setTimeout(poll, 1000);
      } else {
        window.location.reload();
      }
    }
    poll();
  });
})();
