/* The service worker of the member card; served by members.views.service_worker from
 * /medlem/, so its scope is /medlem/ and it sees nothing of the rest of the site.
 *
 * It keeps exactly two kinds of thing, in one cache:
 * - the card page (network first; the copy is used when the network fails or is slow),
 * - the static files the card page lists (sent by static/js/card.js after each load).
 * No other page is cached: the other member pages hold private data we do not want left
 * on the phone, and they are of no use at the till.
 *
 * The cached copy carries the time it was fetched in data-cached-at, so that card.js can
 * correct the phone's clock from the page's server time even when the page is replayed.
 * A redirect for the card page (logged out, membership deleted) deletes the copy.
 */
"use strict";

const CACHE = "lojal-card-v1";
const CARD_URL = "{{ card_url|escapejs }}";
const STATIC_URL = "{{ static_url|escapejs }}";
const NETWORK_TIMEOUT_MS = 4000;  // a till in a basement: do not make the member wait
const CACHED_AT_MARK = 'data-cached-at=""';

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("lojal-card-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === CARD_URL) {
    event.respondWith(cardPage(event));
  } else if (url.pathname.startsWith(STATIC_URL)) {
    event.respondWith(staticFile(request));
  }
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "card-shown" && Array.isArray(event.data.assets)) {
    event.waitUntil(refresh(event.data.assets));
  }
});

function cardPage(event) {
  const network = fetch(event.request).then((response) => {
    event.waitUntil(remember(response.clone()));
    return response;
  });
  event.waitUntil(network.catch(() => null));  // finish storing even if the copy won the race
  return (async () => {
    const timeout = new Promise((resolve) => setTimeout(resolve, NETWORK_TIMEOUT_MS));
    const first = await Promise.race([network.catch(() => null), timeout]);
    if (first && first.status < 500) return first;
    const copy = await caches.match(CARD_URL, { cacheName: CACHE, ignoreSearch: true, ignoreVary: true });
    return copy || network;  // nothing kept yet: wait for the network, or fail as the browser would
  })();
}

async function remember(response) {
  const cache = await caches.open(CACHE);
  if (response.ok && response.type === "basic") {
    await keepPage(cache, response);
  } else if (response.type === "opaqueredirect") {
    await cache.delete(CARD_URL);  // logged out or no membership any more: forget the card
  }
}

async function staticFile(request) {
  const cache = await caches.open(CACHE);
  // Static names carry a content hash in production, so a kept file is never stale.
  const kept = await cache.match(request, { ignoreVary: true });
  return kept || fetch(request);
}

async function keepPage(cache, response) {
  const html = await response.text();
  const marked = html.replace(CACHED_AT_MARK, 'data-cached-at="' + Date.now() + '"');
  const headers = new Headers(response.headers);
  headers.delete("Content-Length");
  await cache.put(CARD_URL, new Response(marked, { status: 200, headers: headers }));
}

async function refresh(assets) {
  const cache = await caches.open(CACHE);
  // The first visit was not seen by the worker (it was not installed yet): fetch a copy.
  if (!(await cache.match(CARD_URL, { ignoreVary: true }))) {
    await remember(await fetch(CARD_URL, { credentials: "same-origin", redirect: "manual" }));
  }
  const wanted = assets
    .map((href) => new URL(href, self.location.origin))
    .filter((url) => url.origin === self.location.origin && url.pathname.startsWith(STATIC_URL))
    .map((url) => url.href);
  await cache.addAll(wanted);
  // Drop files the page no longer uses (older hashed names); keep the page itself.
  for (const request of await cache.keys()) {
    if (new URL(request.url).pathname !== CARD_URL && !wanted.includes(request.url)) {
      await cache.delete(request);
    }
  }
}
