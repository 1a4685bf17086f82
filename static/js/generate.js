// Generate page: submit through the API, then poll the request until its image is ready.
// Without JavaScript the form posts to the page itself and the server answers (no result in place).
(function () {
  "use strict";
  const form = document.getElementById("generate-form");
  if (!form) return;
  const api = form.dataset.api;
  const text = form.elements.text;
  const seed = form.elements.style_seed;
  const button = document.getElementById("generate-button");
  const count = document.getElementById("text-count");
  const result = document.getElementById("result");
  const statusLine = document.getElementById("result-status");
  const figure = document.getElementById("result-figure");
  const image = document.getElementById("result-image");
  // The option inputs the server rendered (built from the renderer's option specs).
  const optionInputs = Array.from(form.querySelectorAll("details.options [name]"));
  const optionNames = optionInputs.map((el) => el.name);
  const maxLength = Number(text.dataset.maxLength) || 1000;
  let current = null; // the request being shown
  let pollTimer = null;

  function csrfToken() {
    const input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // Characters as the server counts them (Python str length: code points, CRLF as one).
  function textLength() {
    return Array.from(text.value.replace(/\r\n/g, "\n")).length;
  }

  function updateCount() {
    const n = textLength();
    count.textContent = n + " / " + maxLength;
    count.classList.toggle("over-limit", n > maxLength);
  }

  function clearErrors() {
    form.querySelectorAll(".field-error, #form-errors").forEach((el) => { el.textContent = ""; });
  }

  function showError(field, messages) {
    const list = Array.isArray(messages) ? messages : [String(messages)];
    let target = document.getElementById("error-" + field);
    if (!target) target = document.getElementById("form-errors");
    if (optionNames.includes(field) || field === "options") form.querySelector("details.options").open = true;
    target.textContent = "";
    list.forEach((message) => {
      const p = document.createElement("p");
      p.textContent = typeof message === "string" ? message : JSON.stringify(message);
      target.appendChild(p);
    });
  }

  function payload() {
    const options = {};
    optionInputs.forEach((el) => {
      if (el.type === "checkbox") { options[el.name] = el.checked; return; }
      if (el.value === "") return;
      options[el.name] = el.type === "number" ? Number(el.value) : el.value;
    });
    const body = { text: text.value.replace(/\r\n/g, "\n"), options: options };
    if (seed.value !== "") body.style_seed = Number(seed.value);
    if (form.elements.hand && form.elements.hand.value !== "") body.hand = form.elements.hand.value;
    return body;
  }

  function setStatus(message, kind) {
    result.hidden = false;
    statusLine.textContent = message;
    statusLine.className = "result-status" + (kind ? " status-" + kind : "");
  }

  function showResult(data) {
    current = data;
    if (data.status === "succeeded") {
      const ms = data.duration_ms != null ? " in " + data.duration_ms + " ms" : "";
      setStatus("Done" + ms + ".", "succeeded");
      image.src = data.image_url;
      document.getElementById("result-seed").textContent = "Seed " + data.style_seed;
      document.getElementById("download-png").href = data.image_url + "?download=1";
      document.getElementById("download-svg").href = data.svg_url + "?download=1";
      document.getElementById("download-pdf").href = data.pdf_url + "?download=1";
      figure.hidden = false;
      button.disabled = false;
    } else if (data.status === "failed") {
      setStatus("It could not be written: " + data.error_message, "failed");
      figure.hidden = true;
      button.disabled = false;
    } else {
      setStatus(data.status === "running" ? "Writing…" : "Queued…", "");
    }
  }

  function poll(url, delay) {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(async () => {
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (response.status === 429) return poll(url, 2000);
        if (!response.ok) throw new Error("HTTP " + response.status);
        const data = await response.json();
        showResult(data);
        if (data.status === "pending" || data.status === "running") poll(url, Math.min(delay * 1.5, 1500));
      } catch (error) {
        setStatus("Lost contact with the server (" + error.message + "); retrying…", "failed");
        poll(url, 3000);
      }
    }, delay);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const length = textLength();
    if (length > maxLength) {  // the API's own message (services/generation.py check_text)
      result.hidden = true;
      showError("text", "The text is " + length + " characters long; the limit is " + maxLength + ".");
      text.focus();
      return;
    }
    button.disabled = true;
    figure.hidden = true;
    setStatus("Sending…", "");
    let response;
    try {
      response = await fetch(api, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(payload()),
      });
    } catch (error) {
      setStatus("The server could not be reached: " + error.message, "failed");
      button.disabled = false;
      return;
    }
    const data = await response.json().catch(() => ({}));
    if (response.status === 202) {
      showResult(data);
      poll(data.url, 150);
      return;
    }
    button.disabled = false;
    result.hidden = true;
    if (response.status === 400) {
      Object.entries(data).forEach(([field, messages]) => showError(field, messages));
    } else if (response.status === 429) {
      showError("form", data.detail || "Too many requests; wait a moment.");
    } else {
      showError("form", data.detail || "The server answered " + response.status + ".");
    }
  });

  document.getElementById("again-button").addEventListener("click", () => {
    if (!current) return;
    seed.value = current.style_seed;
    text.focus();
    form.scrollIntoView({ behavior: "smooth" });
  });

  text.addEventListener("input", updateCount);
  updateCount();
})();
