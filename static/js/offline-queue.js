// The attendance marks taken without network, kept on the phone (IndexedDB) until the server
// has them. Shared by the pages (offline.js) and the service worker (sw.js): one queue, one way
// of reading the grid's form and of sending. The server applies every rule when it receives the
// marks (chantiers.services.offline_marks_receive); nothing here computes an indemnity.
//
// A mark: {client_id, user, organization, session, endpoint, csrf, participant, status, hours,
// note, km, vehicle, version, queued_at, state: "waiting" | "conflict" | "refused", server,
// message}. No name: the page that shows a mark finds the person's name in its own grid.
(() => {
  const DB = "chantiers-parcours";
  const STORE = "marks";
  const PAGES = "cp-pages"; // the pages kept for offline use; forgotten at log-out
  const TIMEOUT = 15000; // ms: a network that answers slower than this counts as none

  const done = (request) =>
    new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });

  const finished = (transaction) =>
    new Promise((resolve, reject) => {
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });

  function open() {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "client_id" });
    return done(request);
  }

  async function write(work) {
    const db = await open();
    try {
      const transaction = db.transaction(STORE, "readwrite");
      work(transaction.objectStore(STORE));
      await finished(transaction);
    } finally {
      db.close();
    }
  }

  async function all() {
    const db = await open();
    try {
      return await done(db.transaction(STORE).objectStore(STORE).getAll());
    } finally {
      db.close();
    }
  }

  // The marks of an account (of a session, when given).
  async function of(user, session = null) {
    return (await all()).filter(
      (mark) => mark.user === user && (session === null || mark.session === session),
    );
  }

  // New marks, each replacing what the queue held for the same person at the same session.
  async function add(marks) {
    const held = await all();
    const same = (a, b) =>
      a.user === b.user && a.session === b.session && a.participant === b.participant;
    await write((store) => {
      for (const mark of marks) {
        held.filter((old) => same(old, mark)).forEach((old) => store.delete(old.client_id));
        store.put(mark);
      }
    });
  }

  const put = (marks) => write((store) => marks.forEach((mark) => store.put(mark)));
  const remove = (ids) => write((store) => ids.forEach((id) => store.delete(id)));

  const HOURS = /^\d{1,2}([.,]\d{1,2})?$/;
  const KM = /^\d{1,3}$/;

  // The grid's form as posted (its FormData): a mark per row changed since the page was shown
  // (the page lists them in "offline_changed"), and the rows whose inputs cannot be read.
  function fromForm(data, { session, endpoint }) {
    // (The page checks the problems before anything is queued; the worker queues the marks of
    // unreadable rows as refused, for the coordinator to take again.)
    const changed = String(data.get("offline_changed") || "").split(",").filter(Boolean);
    const marks = [];
    const problems = [];
    for (const pk of changed) {
      const status = data.get(`status-${pk}`);
      if (!status) continue;
      const hours = String(data.get(`hours-${pk}`) || "").trim();
      const km = String(data.get(`km-${pk}`) || "").trim();
      const vehicle = String(data.get(`vehicle-${pk}`) || "");
      const version = String(data.get(`version-${pk}`) || "");
      const badHours = hours !== "" && !(HOURS.test(hours) && Number(hours.replace(",", ".")) <= 24);
      const badKm = km !== "" && !(KM.test(km) && Number(km) <= 500);
      const before = problems.length;
      if (badHours) problems.push({ pk, field: "hours" });
      if (badKm) problems.push({ pk, field: "km" });
      if (!badKm && Number(km) > 0 && !vehicle) problems.push({ pk, field: "vehicle" });
      const unreadable = problems.length > before;
      marks.push({
        client_id: self.crypto.randomUUID(),
        user: Number(data.get("offline_user")),
        organization: String(data.get("_organization") || ""),
        session,
        endpoint,
        csrf: String(data.get("csrfmiddlewaretoken") || ""),
        participant: Number(pk),
        status: String(status),
        hours: hours.replace(",", "."),
        note: String(data.get(`note-${pk}`) || "").trim().slice(0, 300),
        km: km === "" || badKm ? 0 : Number(km),
        vehicle: !badKm && Number(km) > 0 ? vehicle : "",
        version: /^\d+$/.test(version) ? Number(version) : null,
        queued_at: new Date().toISOString(),
        state: unreadable ? "refused" : "waiting",
        unreadable,
      });
    }
    return { marks, problems };
  }

  const wire = (mark) => ({
    client_id: mark.client_id,
    participant: mark.participant,
    status: mark.status,
    hours: mark.hours,
    note: mark.note,
    km: mark.km,
    vehicle: mark.vehicle,
    version: mark.version,
  });

  // Whether the endpoint refused the sending for good (its reason kept on the response): not
  // when the marks belong to another account (they wait for it), nor for an answer that is not
  // the endpoint's (the organization switched on another device, a proxy's page) — those wait.
  async function refusal(response) {
    let answer;
    try {
      answer = await response.json();
    } catch {
      return false;
    }
    if (answer.code === "other_account") return false;
    response.refusal = answer.error || null;
    return true;
  }

  // Send the waiting marks, a request per session; the answer settles each mark: saved (out of
  // the queue), a conflict (the server's mark kept with it), refused (with the reason). Those
  // the network or the log-in stopped stay waiting. ``user``: one account's (a page), else all
  // (the worker: the server refuses another account's). ``csrf``: the page's fresh token.
  async function flush({ user = null, csrf = null } = {}) {
    const outcome = { saved: 0, conflicts: 0, refused: 0, unsent: 0, login: false };
    const waiting = (await all()).filter(
      (mark) => mark.state === "waiting" && (user === null || mark.user === user),
    );
    const sendings = new Map();
    for (const mark of waiting) {
      const key = `${mark.user} ${mark.endpoint}`;
      sendings.set(key, [...(sendings.get(key) || []), mark]);
    }
    for (const marks of sendings.values()) {
      const [first] = marks;
      let response;
      try {
        response = await fetch(first.endpoint, {
          signal: AbortSignal.timeout(TIMEOUT),
          method: "POST",
          credentials: "same-origin",
          redirect: "manual", // the log-in page is not an answer
          headers: {
            "Content-Type": "application/json",
            "X-CSRFToken": csrf || first.csrf,
            "X-Organization": first.organization,
          },
          body: JSON.stringify({ user: first.user, marks: marks.map(wire) }),
        });
      } catch {
        outcome.unsent += marks.length; // no network after all
        continue;
      }
      if (response.ok) {
        const answer = await response.json();
        const byId = new Map(marks.map((mark) => [mark.client_id, mark]));
        const conflicts = answer.conflicts
          .filter((conflict) => byId.has(conflict.client_id))
          .map((conflict) => ({ ...byId.get(conflict.client_id), state: "conflict", server: conflict }));
        await remove(answer.saved);
        await put(conflicts);
        outcome.saved += answer.saved.length;
        outcome.conflicts += conflicts.length;
      } else if ([400, 404, 409].includes(response.status) && (await refusal(response))) {
        const message = response.refusal;
        await put(marks.map((mark) => ({ ...mark, state: "refused", message })));
        outcome.refused += marks.length;
      } else {
        // Logged out (a redirect to the log-in page), a stale token, a server down: kept as is.
        outcome.login = outcome.login || response.type === "opaqueredirect" || response.status === 403;
        outcome.unsent += marks.length;
      }
    }
    return outcome;
  }

  self.OfflineQueue = { PAGES, TIMEOUT, all, of, add, put, remove, fromForm, flush };
})();
