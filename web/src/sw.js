/* global __BUILD_ID__, __PRECACHE__ */
// The service worker (served at /sw.js so that its scope covers / and
// /entry). It keeps this build's files in a cache named for the build, so
// the entry page opens with no network at all.
//
// - The entry page and every asset: from this build's cache first (the page
//   and its scripts always of one version), the network only for what the
//   cache lacks.
// - The dashboard (/): the network first, so an analyst online sees the
//   newest page; this build's copy when the network fails.
// - The API (/api/, /log/) and everything else: never cached here; the
//   pages keep what they must (the outbox, in IndexedDB).
//
// A new version installs only once all of its files are cached (addAll is
// all or nothing), then takes over at once. It does not drop the older
// versions' caches when it takes over, but only when a page of its own
// version says it has opened the outbox at its schema (the message
// "outbox-ready"), that is once whatever an older page left queued is
// readable by the new one: until then an older page can still be served.

const VERSION = __BUILD_ID__;
const PRECACHE = __PRECACHE__;
const CACHE = `passage-${VERSION}`;
const NETWORK_FIRST_TIMEOUT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(PRECACHE.map((u) => new Request(u, { cache: "reload" })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("message", (event) => {
  const m = event.data || {};
  if (m.type === "outbox-ready" && m.version === VERSION) {
    event.waitUntil(
      (async () => {
        for (const name of await caches.keys()) {
          if (name.startsWith("passage-") && name !== CACHE) await caches.delete(name);
        }
      })(),
    );
  } else if (m.type === "version" && event.source) {
    event.source.postMessage({ type: "version", version: VERSION });
  }
});

function isEntry(path) {
  return path === "/entry" || path === "/entry/" || path === "/entry.html";
}

async function fromCache(request, key) {
  const cache = await caches.open(CACHE);
  return (await cache.match(key ?? request, { ignoreSearch: true })) || (await caches.match(key ?? request, { ignoreSearch: true }));
}

async function cacheFirst(request, key) {
  const hit = await fromCache(request, key);
  if (hit) return hit;
  return fetch(request);
}

async function networkFirst(request, key) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), NETWORK_FIRST_TIMEOUT_MS);
  try {
    const res = await fetch(request, { signal: ctl.signal });
    if (res.ok) return res;
    const hit = await fromCache(request, key);
    return hit || res;
  } catch (e) {
    const hit = await fromCache(request, key);
    if (hit) return hit;
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;
  if (path.startsWith("/api/") || path.startsWith("/log/") || path === "/metrics" || path === "/healthz") return;
  if (isEntry(path)) {
    event.respondWith(cacheFirst(req, "/entry"));
  } else if (path === "/" || path === "/index.html") {
    event.respondWith(networkFirst(req, "/"));
  } else if (PRECACHE.includes(path)) {
    event.respondWith(cacheFirst(req));
  }
});
