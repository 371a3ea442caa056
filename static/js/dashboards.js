// The briefing's "Print" button: shown only when JavaScript runs (the browser's own Print works anyway).
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
