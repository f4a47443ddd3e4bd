// The worksite without network, on the page's side (issue 19): the service worker registered,
// the grid's marks queued when the network is down, the banner ("hors ligne — N présences en
// attente"), the queue sent when the network is back, the conflicts to settle. The queue itself
// is offline-queue.js; the texts come translated from the page (base.html, the grid).
(() => {
  const Q = self.OfflineQueue;
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
  const status = document.querySelector("[data-offline-status]");
  const forgetKept = () => {
    if (self.caches) caches.delete(Q.PAGES);
    Object.keys(sessionStorage)
      .filter((key) => key.startsWith("offline-kept"))
      .forEach((key) => sessionStorage.removeItem(key));
  };
  if (!status) {
    // Nobody logged in here: the pages kept for offline use (names, marks) leave the phone.
    forgetKept();
    return;
  }
  if (!self.indexedDB) return;
  const user = Number(status.dataset.user);
  const t = status.dataset;
  const grid = document.querySelector("form[data-offline-grid]");
  const session = grid ? Number(grid.dataset.session) : null;
  const plural = (n, one, many) => (n === 1 ? one : many.replace("__N__", String(n)));
  const token = () => JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function button(text, action, who = "") {
    const node = element("button", "btn btn-sm btn-outline-dark", text);
    node.type = "button";
    if (who) node.append(element("span", "visually-hidden", ` — ${who}`));
    node.addEventListener("click", action);
    return node;
  }

  // After an action that replaced its own button: the focus on what says the outcome.
  function focusOutcome() {
    const target = status.querySelector(".alert") || grid?.querySelector("#offline-conflicts-title");
    if (!target) return;
    target.tabIndex = -1;
    target.focus();
  }

  // The banner, in the page's live region: what was just sent, then what waits and what needs a
  // choice. Nothing when the queue is empty and the network is there.
  async function render(notice = "") {
    const marks = await Q.of(user);
    const waiting = marks.filter((mark) => mark.state === "waiting");
    const unsettled = marks.filter((mark) => mark.state !== "waiting");
    const boxes = [];
    if (notice) boxes.push(element("div", "alert alert-success mb-2", notice));
    const lines = [];
    if (!navigator.onLine) {
      lines.push(waiting.length ? plural(waiting.length, t.offlineOne, t.offlineMany) : t.offlineNone);
    } else if (waiting.length) {
      lines.push(plural(waiting.length, t.waitingOne, t.waitingMany));
    }
    if (unsettled.length) lines.push(plural(unsettled.length, t.conflictsOne, t.conflictsMany));
    if (lines.length) {
      const box = element("div", "alert alert-warning d-flex flex-wrap gap-2 align-items-center mb-2");
      box.dataset.testid = "offline-banner";
      box.append(element("span", "me-auto", lines.join(" · ")));
      const elsewhere = unsettled.find((mark) => mark.session !== session);
      if (elsewhere) {
        const link = element("a", "btn btn-sm btn-outline-dark", t.see);
        link.href = elsewhere.endpoint.replace(/hors-ligne\/$/, "");
        box.append(link);
      }
      if (waiting.length) {
        box.append(
          button(t.sync, async () => {
            await sync();
            focusOutcome();
          }),
        );
      }
      boxes.push(box);
    }
    status.replaceChildren(...boxes);
    if (grid) listUnsettled(unsettled.filter((mark) => mark.session === session));
  }

  // Send the queue (when the network is there); the grid comes back from the server with what
  // was saved, the banner says how many.
  // The network back is often a bar that comes and goes: a sending the network stopped is
  // tried again after 10 s, then 20, 40… up to 2 minutes, as long as the page is open.
  let sending = false;
  let retryIn = 10000;
  let retryTimer = null;
  async function sync() {
    clearTimeout(retryTimer);
    if (sending || !navigator.onLine) return render();
    sending = true;
    try {
      const outcome = await Q.flush({ user, csrf: token() });
      if (outcome.unsent && !outcome.login) {
        retryTimer = setTimeout(sync, retryIn);
        retryIn = Math.min(retryIn * 2, 120000);
      } else {
        retryIn = 10000;
      }
      const sent = outcome.saved ? plural(outcome.saved, t.sentOne, t.sentMany) : "";
      if (outcome.login) forgetKept(); // logged out: nothing kept
      const typing = grid && [...grid.querySelectorAll("[data-row]")].some(changed);
      if (grid && outcome.saved && !typing) {
        // The grid as the server has it now (its versions too); nothing typed is lost.
        sessionStorage.setItem("offline-sent", sent);
        window.location.reload();
        return;
      }
      if (grid && outcome.saved) {
        const left = new Set((await Q.of(user, session)).map((mark) => mark.participant));
        grid.querySelectorAll("[data-waiting]").forEach((badge) => {
          if (!left.has(Number(badge.closest("[data-row]").id.slice(4)))) badge.remove();
        });
      }
      await render(sent || (outcome.login ? t.login : ""));
    } finally {
      sending = false;
    }
  }

  // ---- The grid -------------------------------------------------------------------------------

  const row = (pk) => document.getElementById(`row-${pk}`);
  const nameOf = (pk) => row(pk)?.querySelector("legend span")?.textContent.trim() || "";
  const statusLabel = (pk, value) =>
    document.querySelector(`label[for="s-${pk}-${value}"]`)?.textContent.trim() || value;

  function changed(fieldset) {
    return [...fieldset.querySelectorAll("input, select")].some((input) => {
      if (input.type === "radio") return input.checked !== input.defaultChecked;
      if (input.tagName === "SELECT") {
        // The option the page was shown with (the first when none says "selected").
        const shown = Math.max(0, [...input.options].findIndex((o) => o.defaultSelected));
        return input.selectedIndex !== shown;
      }
      return input.type !== "hidden" && input.value !== input.defaultValue;
    });
  }

  function hidden(name, value) {
    let input = grid.querySelector(`input[name="${name}"]`);
    if (!input) {
      input = element("input");
      input.type = "hidden";
      input.name = name;
      grid.append(input);
    }
    input.value = value;
  }

  function showWaiting(pk) {
    const legend = row(pk)?.querySelector("legend");
    if (!legend || legend.querySelector("[data-waiting]")) return;
    const badge = element("span", "badge text-bg-info text-wrap", grid.dataset.waiting);
    badge.dataset.waiting = "";
    legend.append(badge);
  }

  // What the queue holds for this session, shown in the grid (the page may come from the phone,
  // as it was before these marks were taken) as the row's starting point: what is typed from
  // there is what "changed" sees.
  function applyQueued(marks) {
    for (const mark of marks.filter((m) => m.state === "waiting")) {
      const pk = mark.participant;
      const radio = document.getElementById(`s-${pk}-${mark.status}`);
      if (!radio) continue;
      row(pk).querySelectorAll("input[type=radio]").forEach((r) => {
        r.defaultChecked = r === radio;
        r.checked = r === radio;
      });
      const set = (id, value) => {
        const input = document.getElementById(id);
        if (!input) return;
        if (input.tagName === "SELECT") {
          [...input.options].forEach((o) => (o.defaultSelected = o.value === value));
        } else {
          input.defaultValue = value;
        }
        input.value = value;
      };
      set(`h-${pk}`, mark.hours);
      set(`n-${pk}`, mark.note);
      set(`k-${pk}`, mark.km ? String(mark.km) : "");
      set(`v-${pk}`, mark.vehicle);
      showWaiting(pk);
    }
  }

  function when(iso) {
    // In the organisation's time zone (the server's), whatever the phone's.
    const options = { dateStyle: "short", timeStyle: "short", timeZone: grid.dataset.timeZone };
    return new Date(iso).toLocaleString(document.documentElement.lang, options);
  }

  // The marks the server did not take: the server's mark beside the one taken here, who and
  // when; the coordinator keeps one or the other. A refusal (a validated month) says why.
  function listUnsettled(marks) {
    const list = grid.querySelector("[data-offline-conflicts]");
    const items = grid.querySelector("[data-offline-conflicts] ul");
    items.replaceChildren();
    list.hidden = !marks.length;
    const d = grid.dataset;
    for (const mark of marks) {
      const pk = mark.participant;
      const item = element("li", "mb-2");
      item.dataset.testid = "offline-conflict";
      let text;
      if (mark.state === "conflict") {
        text = d.conflictLine
          .replace("__NAME__", nameOf(pk))
          .replace("__MINE__", statusLabel(pk, mark.status))
          .replace("__THEIRS__", statusLabel(pk, mark.server.status))
          .replace("__BY__", mark.server.by)
          .replace("__AT__", when(mark.server.at));
      } else {
        const why = mark.unreadable ? d.unreadableWhy : mark.message || d.refusedUnknown;
        text = d.refusedLine
          .replace("__NAME__", nameOf(pk))
          .replace("__MINE__", statusLabel(pk, mark.status))
          .replace("__WHY__", why);
      }
      const actions = element("div", "d-flex flex-wrap gap-2 mt-1");
      const who = nameOf(pk);
      if (mark.state === "conflict") {
        actions.append(button(d.keepMine, () => keepMine(mark), who));
        actions.append(button(d.keepTheirs, () => drop(mark), who));
      } else {
        if (!mark.unreadable) actions.append(button(d.retry, () => retry(mark), who));
        actions.append(button(d.drop, () => drop(mark), who));
      }
      item.append(element("p", "mb-0", text), actions);
      items.append(item);
    }
  }

  async function keepMine(mark) {
    const mine = { ...mark, state: "waiting", version: mark.server.version, server: null };
    mine.client_id = self.crypto.randomUUID();
    await Q.remove([mark.client_id]);
    await Q.add([mine]);
    await sync();
    focusOutcome();
  }

  async function retry(mark) {
    await Q.put([{ ...mark, state: "waiting", message: null, unreadable: false }]);
    await sync();
    focusOutcome();
  }

  async function drop(mark) {
    await Q.remove([mark.client_id]);
    if (navigator.onLine) {
      window.location.reload(); // the server's mark, fresh
      return;
    }
    await render();
    focusOutcome();
  }

  function refuseUnreadable(problems) {
    const names = problems.map(({ pk, field }) => {
      const id = { hours: "h", km: "k", vehicle: "v" }[field] + `-${pk}`;
      const input = document.getElementById(id);
      input?.setAttribute("aria-invalid", "true");
      input?.setAttribute("data-offline-invalid", "");
      input?.closest("details")?.setAttribute("open", "");
      return document.querySelector(`label[for="${id}"]`)?.textContent.trim() || id;
    });
    const box = element("div", "alert alert-danger", `${grid.dataset.unreadable} ${names.join(", ")}`);
    box.setAttribute("role", "alert");
    box.tabIndex = -1;
    grid.querySelector("[data-offline-problems]").replaceChildren(box);
    box.focus();
  }

  if (grid) {
    grid.addEventListener("submit", async (event) => {
      // The rows changed since the page was shown: the worker queues those if the network fails
      // on the way (the server itself reads every row and ignores this).
      const rows = [...grid.querySelectorAll("[data-row]")].filter(changed);
      hidden("offline_changed", rows.map((fieldset) => fieldset.id.slice(4)).join(","));
      hidden("offline_user", String(user));
      if (navigator.onLine) return;
      event.preventDefault();
      const endpoint = grid.dataset.endpoint;
      const { marks, problems } = Q.fromForm(new FormData(grid), { session, endpoint });
      grid.querySelector("[data-offline-problems]").replaceChildren();
      grid.querySelectorAll("[aria-invalid][data-offline-invalid]").forEach((input) => {
        input.removeAttribute("aria-invalid");
        input.removeAttribute("data-offline-invalid");
      });
      if (problems.length) {
        refuseUnreadable(problems);
        return;
      }
      if (!marks.length) {
        await render(t.nothing);
        return;
      }
      await Q.add(marks);
      applyQueued(marks); // the rows' new starting point: what is typed next is "changed"
      await render(plural(marks.length, t.keptOne, t.keptMany));
      navigator.serviceWorker?.ready
        .then((registration) => registration.sync?.register("offline-marks"))
        .catch(() => {});
    });
  }

  // ---- Today's page: the week's grids and groups kept on the phone -----------------------------

  // At most every ten minutes for the same pages: each visit of today's page need not fetch the
  // week again.
  const KEEP_AGAIN_MS = 10 * 60 * 1000;

  async function keepForOffline(links) {
    const urls = new Set();
    links.forEach((link) => urls.add(link.href).add(new URL(link.dataset.offlineKeep, link.href).href));
    const key = `offline-kept ${[...urls].join(" ")}`;
    const note = document.querySelector("[data-offline-kept]");
    if (Date.now() - Number(sessionStorage.getItem(key) || 0) < KEEP_AGAIN_MS) {
      if (note) note.hidden = false;
      return;
    }
    const cache = await caches.open(Q.PAGES);
    for (const url of urls) {
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.ok && response.headers.get("X-Offline") === "keep") await cache.put(url, response);
    }
    sessionStorage.setItem(key, String(Date.now()));
    if (note) note.hidden = false;
  }

  // ---- The log-out: the kept pages leave the phone (the queue stays, for this account) -------

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.matches("form[data-forget-offline]")) return;
    event.preventDefault();
    navigator.serviceWorker?.controller?.postMessage("forget");
    forgetKept();
    const forget = self.caches ? caches.delete(Q.PAGES) : Promise.resolve();
    forget.finally(() => form.submit());
  });

  window.addEventListener("online", sync);
  window.addEventListener("offline", () => render());

  // A copy the phone kept (the worker marks it): the messages of the day it was kept are not
  // today's news.
  const keptCopy = document.body.hasAttribute("data-kept-copy");
  if (keptCopy) document.querySelector("[data-messages]")?.remove();

  (async () => {
    const sent = sessionStorage.getItem("offline-sent") || "";
    sessionStorage.removeItem("offline-sent");
    if (grid) applyQueued(await Q.of(user, session));
    await render(sent);
    if (navigator.onLine && (await Q.of(user)).some((mark) => mark.state === "waiting")) await sync();
    const links = document.querySelectorAll("a[data-offline-keep]");
    if (navigator.onLine && links.length && self.caches) keepForOffline(links).catch(() => {});
  })();
})();
