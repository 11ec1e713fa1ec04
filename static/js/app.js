// Small behaviours the pages share. Loaded from the portal itself (CSP: no inline JS).
document.addEventListener("DOMContentLoaded", () => {
  // <form data-confirm="Are you sure?"> asks before submitting.
  document.body.addEventListener("submit", (event) => {
    const message = event.target.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
});
