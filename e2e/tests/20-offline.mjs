// Offline: after one visit the calculator works with the network off (the service worker
// serves the cached build), and when a new build is deployed the next online visit
// installs it, so the offline site is then the new one. Uses its own copy of the site on
// its own server, since it deploys a "new build" into it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { check, plausibleRate, waitFor } from '../lib/harness.mjs';
import { serve } from '../lib/server.mjs';
import { CalculatorPage } from '../pages/CalculatorPage.mjs';

const buildOf = (page) => page.evaluate(() => document.querySelector('meta[name=roofline-build]')?.content);
const cacheNames = (page) => page.evaluate(() => caches.keys());

export default {
  name: 'offline: works without network, updates on a new build',
  timeoutMs: 120000,
  async run(t) {
    const source = new URL(t.baseUrl);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'roofline-offline-'));
    // The suite's snapshot of dist/ is served at t.baseUrl; fetch its files into our copy.
    const index = await (await fetch(source)).text();
    const sw = await (await fetch(new URL('sw.js', source))).text();
    const assets = JSON.parse(sw.match(/const ASSETS = (\[.*\]);/)[1]).filter((a) => a !== './');
    for (const a of [...assets, './sw.js', './roofline-device_loader.js', './roofline-device.js', './roofline-device_bg.wasm']) {
      const bytes = Buffer.from(await (await fetch(new URL(a, source))).arrayBuffer());
      fs.writeFileSync(path.join(root, a), bytes);
    }
    fs.writeFileSync(path.join(root, 'index.html'), index);
    const server = await serve(root);
    try {
      const context = await t.newContext();
      const app = new CalculatorPage(await t.newPage(context), server.url);
      t.guard.origin = new URL(server.url).origin;
      await app.open('#v=1&m=qwen2-5-7b&pp=2048');
      const first = await buildOf(app.page);
      await app.page.evaluate(() => navigator.serviceWorker.ready);
      await waitFor(async () => (await cacheNames(app.page)).includes(`roofline-${first}`), 'the build to be cached');
      const online = await app.id('tg-value').textContent();

      await context.setOffline(true);
      await app.page.reload();
      await app.waitReady();
      check((await app.id('tg-value').textContent()) === online, 'the offline estimate differs from the online one');
      plausibleRate(await app.id('tg-value').textContent(), 'generation offline');
      await app.setPromptTokens(4096);
      await waitFor(async () => (await app.shareLink()).includes('pp=4096'), 'the offline page to respond');
      await t.screenshot(app.page, 'offline');

      // Deploy a "new build": same files, a new build id in index.html and sw.js.
      const next = `${first.slice(0, 8)}00000000`;
      fs.writeFileSync(path.join(root, 'index.html'), index.replaceAll(first, next));
      fs.writeFileSync(path.join(root, 'sw.js'), sw.replaceAll(first, next));
      await context.setOffline(false);
      await app.page.reload();
      await app.waitReady();
      check((await buildOf(app.page)) === next, 'online, the page is not the new build');
      await waitFor(async () => {
        const names = await cacheNames(app.page);
        return names.includes(`roofline-${next}`) && !names.includes(`roofline-${first}`);
      }, 'the new build to replace the old cache');

      await context.setOffline(true);
      await app.page.reload();
      await app.waitReady();
      check((await buildOf(app.page)) === next, 'offline, the page is still the old build');
      t.note(`build ${first} cached, offline estimate ${online}; new build ${next} replaced it`);
    } finally {
      await server.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  },
};
