{% load static %}// The service worker of Chantiers & Parcours (version {{ version }}), served at /sw.js so that
// its scope is the whole site (dashboard.views_app.service_worker).
// - The pages the server marks "{{ header }}: keep" (today's sessions, a grid, a group) are kept
//   each time they are opened online, and shown from the phone when the network is down.
// - A grid saved without network: its marks go to the queue (offline-queue.js), and the grid
//   comes back from the phone with them; they are sent when the network is back.
// - Nothing else is kept: every other page and every request goes to the server as usual.
importScripts("{% static 'js/offline-queue.js' %}");

// Named after the files it holds: another version of one of them, another cache, the old one
// deleted when this worker takes over.
const STATIC = "cp-static-{{ version }}";
const PAGES = self.OfflineQueue.PAGES;
const FALLBACK = "{{ fallback }}";
const KEPT_FILES = [{% for url in kept_files %}
  "{{ url }}",{% endfor %}
];
const GRID = /^\/chantiers\/seances\/(\d+)\/presences\/$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(STATIC)
      .then((cache) => cache.addAll(KEPT_FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  const old = (name) => name.startsWith("cp-static-") && name !== STATIC;
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter(old).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

// A page: from the server, kept when it says so; from the phone when the server cannot be
// reached (the page kept, else the "no network" page).
async function page(request) {
  try {
    const response = await fetch(request, { signal: AbortSignal.timeout(self.OfflineQueue.TIMEOUT) });
    if (response.ok && response.headers.get("{{ header }}") === "keep") {
      const copy = response.clone();
      caches.open(PAGES).then((cache) => cache.put(request.url, copy));
    }
    return response;
  } catch (error) {
    const kept = await caches.match(request.url, { ignoreVary: true, cacheName: PAGES });
    if (kept) {
      // Said to the page, which then does not show the messages of the day it was kept.
      const html = (await kept.text()).replace("<body ", "<body data-kept-copy ");
      return new Response(html, { headers: kept.headers });
    }
    return (await caches.match(FALLBACK, { cacheName: STATIC })) || Response.error();
  }
}

// A grid saved: to the server; without network, its marks queued and the grid shown again
// (from the phone), where the page shows them waiting.
async function gridSaved(request, session) {
  const copy = request.clone();
  try {
    return await fetch(request);
  } catch (error) {
    const url = new URL(request.url);
    const endpoint = `${url.pathname}hors-ligne/`;
    const { marks } = self.OfflineQueue.fromForm(await copy.formData(), { session, endpoint });
    await self.OfflineQueue.add(marks);
    if (self.registration.sync) {
      await self.registration.sync.register("offline-marks").catch(() => {});
    }
    return Response.redirect(url.href, 303);
  }
}

// The static files: from the phone when kept (their names change with their content in
// production), refreshed from the server in the background.
async function file(request) {
  const cache = await caches.open(STATIC);
  const kept = await cache.match(request);
  const fresh = fetch(request)
    .then((response) => {
      if (response.ok) cache.put(request, response.clone());
      return response;
    })
    .catch(() => kept || Response.error());
  return kept || fresh;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && request.method === "GET") {
    event.respondWith(page(request));
  } else if (request.mode === "navigate" && request.method === "POST" && GRID.test(url.pathname)) {
    event.respondWith(gridSaved(request, Number(GRID.exec(url.pathname)[1])));
  } else if (request.method === "GET" && url.pathname.startsWith("/static/")) {
    event.respondWith(file(request));
  }
});

// Background Sync, where the browser has it: the queue sent as soon as the network is back,
// even with the app closed. The pages send it too (on load, on "online", on "Synchroniser").
self.addEventListener("sync", (event) => {
  if (event.tag !== "offline-marks") return;
  const send = self.OfflineQueue.flush().then((outcome) => {
    if (outcome.unsent) throw new Error("unsent"); // the browser tries again later
  });
  event.waitUntil(send);
});

// A page says the person logged out: the kept pages (names, marks) leave the phone.
self.addEventListener("message", (event) => {
  if (event.data === "forget") event.waitUntil(caches.delete(PAGES));
});
