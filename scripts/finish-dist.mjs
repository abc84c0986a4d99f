#!/usr/bin/env node
// Finishes Trunk's dist/ for any static host:
//  - moves Trunk's inline start-up script into a file (start-<hash>.js, with its integrity),
//    so the content security policy can forbid inline scripts;
//  - adds that policy as a <meta> tag: scripts and everything else only from the site's own
//    origin, 'wasm-unsafe-eval' for WebAssembly, no plugins, no inline script (inline style
//    attributes stay allowed: the components set widths with them);
//  - writes sw.js, a service worker that caches this build's files so the site works
//    offline after one visit, and replaces them when a new build is deployed;
//  - writes catalog-sources.json, the catalog's citations by entry id, which the site's
//    wasm leaves out (core's `lean-catalog` feature) and fetches after the first estimate;
//  - puts the prerendered first view (the calculator in its default configuration, HTML
//    from `cargo run -p roofline-app --features ssr --bin prerender`) into <div id="app">,
//    marked data-prerendered, so it paints before the wasm has arrived;
//  - stamps the build id into index.html (<meta name="roofline-build">).
//
//   node scripts/finish-dist.mjs [dist] [prerendered.html]
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const dist = path.resolve(process.argv[2] ?? 'dist');
const indexPath = path.join(dist, 'index.html');
let html = fs.readFileSync(indexPath, 'utf8');

export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  // Inline style attributes only (bar widths, chart sizes set by the components); no
  // inline <style> or script is written anywhere.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

const sha = (bytes, algo = 'sha384') => crypto.createHash(algo).update(bytes).digest();

// 1. The inline start-up script, moved out; the service worker registers after start-up.
const inline = /<script type="module">([\s\S]*?)<\/script>/;
const match = html.match(inline);
if (match) {
  const register = `
if ('serviceWorker' in navigator && location.protocol.startsWith('http')) {
  navigator.serviceWorker.register('./sw.js').catch((e) => console.warn('offline cache unavailable:', e.message));
}
`;
  let start = match[1].trim();
  if (process.argv[3]) {
    // The first view is prerendered: the app's JS and wasm are fetched once it has been
    // painted, so their download does not hold up the first paint (their preloads go).
    const imported = /^import init, \* as bindings from '(\.\/roofline-app-[0-9a-f]+\.js)';$/m;
    if (!imported.test(start)) throw new Error('Trunk\'s start-up script changed: no import of the app');
    start = start.replace(
      imported,
      (_, js) => `// After the prerendered first view's first frame (or half a second, in a hidden tab).
await new Promise((painted) => {
  requestAnimationFrame(() => setTimeout(painted, 0));
  setTimeout(painted, 500);
});
const bindings = await import('${js}');
const init = bindings.default;`,
    );
    html = html.replace(/<link rel="modulepreload" href="\.\/roofline-app-[^>]*>/, '');
    html = html.replace(/<link rel="preload" href="\.\/roofline-app-[0-9a-f]+_bg\.wasm"[^>]*>/, '');
  }
  const body = start + '\n' + register;
  const name = `start-${sha(body, 'sha256').toString('hex').slice(0, 16)}.js`;
  fs.writeFileSync(path.join(dist, name), body);
  const integrity = `sha384-${sha(body).toString('base64')}`;
  html = html.replace(inline, `<script type="module" src="./${name}" integrity="${integrity}" crossorigin="anonymous"></script>`);
} else if (!/src="\.\/start-[0-9a-f]+\.js"/.test(html)) {
  throw new Error('index.html has neither Trunk\'s inline start-up script nor a start-*.js: the Trunk output changed');
}
if (/<script(?![^>]*\bsrc=)[^>]*>/.test(html)) throw new Error('index.html still has an inline script');

// 1b. The prerendered first view, which the app replaces when it starts.
const shellPath = process.argv[3];
if (shellPath) {
  const shell = fs.readFileSync(shellPath, 'utf8').trim();
  const mount = /<div id="app"(?: data-prerendered)?>[\s\S]*?<\/div>(?=\s*<noscript>)/;
  if (!mount.test(html)) throw new Error('index.html has no <div id="app"> before its <noscript>: app/index.html changed');
  if (/<script/i.test(shell)) throw new Error('the prerendered view contains a script');
  html = html.replace(mount, () => `<div id="app" data-prerendered>${shell}</div>`);
}

// 2. The policy, first in <head> so it covers everything after it.
html = html.replace(/\s*<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
html = html.replace(/(<meta charset="utf-8" \/>)/, `$1\n    <meta http-equiv="Content-Security-Policy" content="${CSP}" />`);

// 2b. The catalog's citations, out of the first load.
const data = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'core', 'data');
const bySource = (files) => {
  const out = {};
  for (const f of files) {
    for (const e of JSON.parse(fs.readFileSync(path.join(data, f), 'utf8'))) out[e.id] = e.sources ?? [];
  }
  return out;
};
const catalogSources = {
  hardware: bySource(['hardware/gpus.json', 'hardware/cpus.json', 'hardware/socs.json']),
  models: bySource(['models/models.json']),
};
fs.writeFileSync(path.join(dist, 'catalog-sources.json'), JSON.stringify(catalogSources));

// 3. The build id: a hash of every file the site serves (index.html without its stamp).
const files = fs
  .readdirSync(dist)
  .filter((f) => f !== 'sw.js' && f !== 'index.html' && fs.statSync(path.join(dist, f)).isFile())
  .sort();
const hash = crypto.createHash('sha256');
html = html.replace(/\s*<meta name="roofline-build"[^>]*>/, '');
hash.update(html);
for (const f of files) hash.update(f).update(fs.readFileSync(path.join(dist, f)));
const build = hash.digest('hex').slice(0, 16);
html = html.replace(/(<meta charset="utf-8" \/>)/, `$1\n    <meta name="roofline-build" content="${build}" />`);
fs.writeFileSync(indexPath, html);

// 4. The service worker: this build's files, cache-first; pages network-first. The
//    device-test module is cached when first used, not fetched for every visitor.
const lazy = (f) => f.startsWith('roofline-device') || f.startsWith('roofline-planner');
const assets = ['./', './index.html', ...files.filter((f) => !lazy(f)).map((f) => `./${f}`)];
const sw = `// Roofline's offline cache for build ${build} (written by scripts/finish-dist.mjs).
const BUILD = ${JSON.stringify(build)};
const CACHE = 'roofline-' + BUILD;
const ASSETS = ${JSON.stringify(assets)};

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('roofline-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  // Byte ranges (a model file read in pieces) go to the network, never to the cache.
  if (request.headers.has('range')) return;
  if (request.mode === 'navigate') {
    // The newest page when online (it names the newest files), the cached one offline.
    event.respondWith(
      fetch(request).catch(() =>
        caches.match(request, { ignoreSearch: true }).then((hit) => hit || caches.match('./index.html')),
      ),
    );
    return;
  }
  event.respondWith(
    caches.match(request).then(
      (hit) =>
        hit ||
        fetch(request).then((response) => {
          if (response.status === 200) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(request, copy));
          }
          return response;
        }),
    ),
  );
});
`;
fs.writeFileSync(path.join(dist, 'sw.js'), sw);
console.log(`dist finished: build ${build}, ${assets.length} files cached offline, CSP: ${CSP}`);
