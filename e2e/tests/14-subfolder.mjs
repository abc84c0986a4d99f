// dist/ is copied to any folder of a static host: the site served from /sub/ loads every
// asset from beside its index.html (never from the host root) and restores a link there.
import { check, same, plausibleRate } from '../lib/harness.mjs';

export default {
  name: 'subfolder: the build works below the host root',
  async run(t) {
    const page = await t.newPage();
    const paths = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.origin === t.origin) paths.push(url.pathname);
    });
    await page.goto(`${t.baseUrl}sub/#v=1&pp=2048&m=qwen2-5-7b`);
    // The app's figures, not the prerendered first view's.
    await page.waitForSelector('#app:not([data-prerendered]) [data-testid=tg-value]:not(:empty)', { timeout: 15000 });
    plausibleRate(await page.textContent('[data-testid=tg-value]'), 'generation served from /sub/');
    same(await page.inputValue('[data-testid=prompt-tokens]'), '2048', 'prompt tokens from the link under /sub/');
    const outside = paths.filter((p) => !p.startsWith('/sub/'));
    check(paths.length >= 3, `expected the page, its JS and its wasm to be requested, saw ${paths.join(', ')}`);
    check(outside.length === 0, `requested outside /sub/: ${outside.join(', ')}`);
    t.note(`${paths.length} requests, all under /sub/`);
  },
};
