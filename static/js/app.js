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

// --- Review --------------------------------------------------------------------------
document.addEventListener("DOMContentLoaded", () => {
  // <button data-insert-note="text" data-insert-into="textarea-id"> appends the text to
  // the textarea (a shared review note into the feedback); the input event it fires lets
  // the draft be saved. Counting the use is the button's own hx-post.
  document.body.addEventListener("click", (event) => {
    const button = event.target.closest("[data-insert-note]");
    if (!button) {
      return;
    }
    const textarea = document.getElementById(button.dataset.insertInto);
    if (!textarea) {
      return;
    }
    const text = button.dataset.insertNote;
    const current = textarea.value.replace(/\s+$/, "");
    textarea.value = current ? `${current}\n\n${text}` : text;
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    textarea.focus();
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
  });

  // An htmx form marked data-swap-errors shows its 400 answer (the form with errors)
  // instead of dropping it, as htmx does with error statuses by default.
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (event.detail.xhr.status === 400 && source && source.closest("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
});
