/* The till's service worker: a till that is reloaded while the network is down still opens.
   Every GET goes to the network; when the network is down, the copy in the cache is served.
   Only the till page fills the cache, with itself and its scripts and styles, while online
   (static/js/counter_offline.js): nothing about members is kept here. Actions are POSTs and
   never pass through the cache. */
"use strict";
var CACHE = "{{ cache_name }}";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("lojal-till-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(fetch(request).catch(function () {
    return caches.open(CACHE).then(function (cache) {
      return cache.match(request, { ignoreVary: true, ignoreSearch: request.mode !== "navigate" });
    }).then(function (hit) { return hit || Response.error(); });
  }));
});
