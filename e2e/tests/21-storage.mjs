// localStorage that is corrupt, full or unavailable (private mode): the page still works,
// says what it could not read, and nothing valid is lost.
import { check, plausibleRate, waitFor } from '../lib/harness.mjs';
import { CalculatorPage } from '../pages/CalculatorPage.mjs';

const KEY = 'roofline.state.v1';
const stored = (app, key = KEY) => app.page.evaluate((k) => localStorage.getItem(k), key);

export default {
  name: 'storage: corrupt, full or unavailable localStorage',
  async run(t) {
    // Corrupt: the page starts from defaults with a notice, and keeps the unreadable text.
    const corrupt = await t.newContext();
    const a = await t.openCalculator('#v=1', { context: corrupt });
    const garbage = 'v=1&hw=%E0%A4%A&pp=-5&m=\u0000<script>&kv=zz';
    await a.page.evaluate(([k, v]) => localStorage.setItem(k, v), [KEY, garbage]);
    await a.page.goto(t.baseUrl);
    await a.waitReady();
    plausibleRate(await a.id('tg-value').textContent(), 'generation with a corrupt saved state');
    const notices = await a.noticeItems();
    check(notices.some((n) => /saved state/.test(n)), `no notice about the saved state: ${notices}`);
    check((await stored(a, `${KEY}.unreadable`)) === garbage, 'the unreadable saved state was not kept');

    // Full: writes fail; the page keeps working and the last valid state stays stored.
    const full = await t.newContext();
    await full.addInitScript(() => {
      let isFull = false;
      try {
        isFull = sessionStorage.getItem('full') === '1';
      } catch {
        return; // about:blank has no storage
      }
      if (isFull) {
        Storage.prototype.setItem = () => {
          throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        };
      }
    });
    const b = await t.openCalculator('#v=1&pp=3000', { context: full });
    await waitFor(async () => (await stored(b))?.includes('pp=3000'), 'the state to be stored');
    await b.page.evaluate(() => sessionStorage.setItem('full', '1'));
    await b.page.goto(t.baseUrl);
    await b.waitReady();
    await b.setPromptTokens(5000);
    await waitFor(async () => (await b.shareLink()).includes('pp=5000'), 'the page to follow the edit (full storage)');
    plausibleRate(await b.id('tg-value').textContent(), 'generation with full storage');
    check((await stored(b)).includes('pp=3000'), `the valid stored state was replaced: ${await stored(b)}`);

    // Unavailable: every access throws, as in some private modes.
    const denied = await t.newContext();
    await denied.addInitScript(() => {
      Object.defineProperty(window, 'localStorage', {
        get() {
          throw new DOMException('The operation is insecure.', 'SecurityError');
        },
      });
    });
    const c = new CalculatorPage(await t.newPage(denied), t.baseUrl);
    await c.open('#v=1&pp=2048');
    await c.setPromptTokens(1500);
    await waitFor(async () => (await c.shareLink()).includes('pp=1500'), 'the page to follow the edit (no storage)');
    plausibleRate(await c.id('tg-value').textContent(), 'generation without storage');
    t.note(`corrupt: ${notices.length} notice(s); full: stored state kept; unavailable: page works`);
  },
};
