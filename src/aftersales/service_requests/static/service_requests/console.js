// The console's forms answer a refused change (invalid input, not allowed, changed by someone
// else) with a 4xx status and the message to show. htmx drops error responses by default;
// swap these in so the message appears where the form is.
htmx.config.responseHandling = [
  { code: "204", swap: false },
  { code: "[23]..", swap: true },
  { code: "^(400|403|409)$", swap: true, error: false },
  { code: "[45]..", swap: false, error: true },
  { code: "...", swap: false },
];

// Anything else that fails (server error, lost connection) must not look like nothing happened.
document.addEventListener("htmx:afterRequest", function (event) {
  const form = event.detail.elt.closest("[data-failure-text]");
  if (!form || event.detail.successful) return;
  const status = event.detail.xhr ? event.detail.xhr.status : 0;
  if ([400, 403, 409].includes(status)) return;
  const box = form.querySelector("[data-error-box]");
  if (box) {
    box.textContent = "";
    const message = document.createElement("div");
    message.className = "error-box";
    message.setAttribute("role", "alert");
    message.textContent = form.dataset.failureText;
    box.appendChild(message);
  }
});
