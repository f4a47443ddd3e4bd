// Small behaviours shared by every page. No inline scripts: the Content-Security-Policy forbids them.
document.addEventListener("DOMContentLoaded", () => {
  document.documentElement.classList.add("js");
  // A <select data-autosubmit> submits its form on change; without JavaScript a button does it.
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.requestSubmit());
  });
  // What the page came to say, read at once: a refused form's error summary first, otherwise
  // the messages (saved, refused…). Both are in the page as it loads, where a live region would
  // stay silent; moving the focus makes screen readers read them, and Tab goes on from there.
  const arrival =
    document.querySelector("[data-error-summary]") || document.querySelector("[data-messages]");
  if (arrival) {
    arrival.focus();
    // Reached at an anchor (…/#modules): the browser's jump to it takes the focus away before
    // "load"; it is given back there, the anchor left in view.
    if (window.location.hash) {
      window.addEventListener("load", () => arrival.focus({ preventScroll: true }), { once: true });
    }
  }
  // The attendance grid's sticky bar: its height, for the scroll padding that keeps the focused
  // row out from under it (app.css), however many lines the bar takes.
  const bar = document.querySelector(".sticky-actions");
  if (bar) {
    const root = document.documentElement;
    const follow = () => root.style.setProperty("--app-sticky-bar", `${bar.offsetHeight}px`);
    new ResizeObserver(follow).observe(bar);
  }
});

// A link of the error summary: the field takes the focus with its label in view (a plain jump
// to the anchor would hide the label above the screen's top and leave "#id_…" in the address,
// which the form's next submission would carry along).
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-error-summary] a[href^='#']");
  if (!link) return;
  const field = document.getElementById(link.hash.slice(1));
  if (!field) return;
  event.preventDefault();
  const label = document.querySelector(`label[for="${field.id}"]`) || field;
  label.scrollIntoView({ block: "start" });
  field.focus({ preventScroll: true });
});

// A form refused inside an htmx fragment: its summary takes the focus, as on a whole page.
document.addEventListener("htmx:afterSwap", (event) => {
  // An outerHTML swap leaves the old target out of the page: look in the page then.
  const target = event.detail.target;
  const summary = (target.isConnected ? target : document).querySelector("[data-error-summary]");
  if (summary) summary.focus();
});

// An htmx request the server refused: say so above the page, and keep what was typed in the form.
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if (status < 400) return;
  event.detail.shouldSwap = false;
  const box = document.createElement("div");
  box.className = "alert alert-warning";
  box.setAttribute("role", "alert");
  const page = new DOMParser().parseFromString(event.detail.xhr.responseText, "text/html");
  const explanation = status === 409 ? page.querySelector("main") : null;
  if (explanation) {
    box.append(...explanation.childNodes);
  } else {
    box.textContent = `${document.body.dataset.saveError} (${status})`;
  }
  const main = document.querySelector("main");
  main.prepend(box);
  box.scrollIntoView({ behavior: "smooth", block: "start" });
});

// Attendance grid: "everyone present" fills the rows still unset, on the page, so the
// coordinator can then tap the few absences and save once. Without JavaScript the button
// submits and the server does the same.
// How many rows it filled is said in the grid's live region (present, empty, since the page
// loaded: a screen reader announces what is written into it).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-all-present]");
  if (!button) return;
  event.preventDefault();
  let filled = 0;
  button.form.querySelectorAll("[data-row]").forEach((row) => {
    if (!row.querySelector("input[type=radio]:checked")) {
      row.querySelector("input[data-present]").checked = true;
      filled += 1;
    }
  });
  const status = button.form.querySelector("[data-grid-status]");
  if (status) {
    const { announceNone, announceOne, announceMany } = button.dataset;
    const message = filled === 0 ? announceNone : filled === 1 ? announceOne : announceMany;
    status.textContent = message.replace("__N__", String(filled));
  }
});

// A form that answers with a file leaves the page as it was; when the download also changes the
// record (a SEPA file marks its batch exported), the page is reloaded to show what comes next.
document.addEventListener("submit", (event) => {
  if (!event.target.matches("form[data-reload-after-download]")) return;
  window.setTimeout(() => window.location.reload(), 1500);
});
