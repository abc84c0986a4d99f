// Hostile and broken links: the page still loads with figures, a notice names each field
// that could not be used, and nothing in the link becomes markup or runs.
import { check, plausibleRate, same, sleep } from '../lib/harness.mjs';

const HUGE = `#v=1&${'pp=1&'.repeat(4000)}`;

// [fragment, words each notice list must contain, whether the main figures are the defaults]
const CASES = [
  ['#%%%', ['unknown field %%%'], true],
  ['#v=1&pp=-5&tg=NaN&b=1e99', ['prompt tokens “-5”', 'generated tokens “NaN”', 'batch “1e99”'], true],
  [HUGE, ['link', `${HUGE.length - 1} characters`, 'longer than 8192'], true],
  ['#v=1&hw=<script>window.__pwned=1</script>', ['machine', 'script', 'not in the catalog'], true],
  ['#v=1&m=javascript:window.__pwned=1', ['model “javascript:window.__pwned=1”', 'not in the catalog'], true],
  ['#v=1&hc=<img src=x onerror=window.__pwned=1>', ['custom machine'], false],
  ['#v=9&zz=1', ['version “9”', 'unknown field zz'], true],
  ['#v=1&c1=hw:nope*m:<b>x</b>', ['compare 1: machine “nope”', 'compare 1: model'], true],
];

const countMarkup = () =>
  ['script', 'img', 'b', 'iframe', 'object', 'embed', 'svg', '[onerror]', '[onload]'].map(
    (sel) => `${sel}:${document.querySelectorAll(sel).length}`,
  );

export default {
  name: 'hostile links: notices, defaults, no injection',
  async run(t) {
    const clean = await t.openCalculator();
    const defaults = await clean.figures();
    const cleanMarkup = await clean.page.evaluate(countMarkup);
    let shot = false;
    const context = await t.newContext();

    for (const [fragment, words, expectDefaults] of CASES) {
      const label = fragment.length > 60 ? `${fragment.slice(0, 40)}… (${fragment.length} chars)` : fragment;
      const app = await t.openCalculator(fragment, { context });
      await sleep(150);
      const notice = app.id('link-notice');
      check(await notice.isVisible(), `${label}: no visible link-notice`);
      const text = await notice.innerText();
      for (const w of words) check(text.includes(w), `${label}: notice lacks “${w}”: ${text}`);
      check((await app.noticeItems()).length > 0, `${label}: notice has no items`);
      const figures = await app.figures();
      plausibleRate(figures.pp, `${label}: prompt rate`);
      plausibleRate(figures.tg, `${label}: generation rate`);
      if (expectDefaults) same(figures, defaults, `${label}: figures (defaults expected)`);
      check((await app.page.evaluate(() => typeof window.__pwned)) === 'undefined', `${label}: window.__pwned was set`);
      same(await app.page.evaluate(countMarkup), cleanMarkup, `${label}: markup counts`);
      if (fragment.includes('<img')) {
        const summary = await app.id('hardware-summary').textContent();
        check(summary.includes('<img src=x onerror=window.__pwned=1>'), `${label}: the custom name is not shown as literal text: ${summary}`);
      }
      if (fragment.includes('c1=')) {
        await app.gotoCompare();
        check((await app.page.locator('[data-testid^="compare-slot-"]').count()) === 1, `${label}: compare slot missing`);
        same(await app.page.evaluate(countMarkup), cleanMarkup, `${label}: markup counts on the compare page`);
      }
      if (!shot && fragment.includes('<script>')) {
        await t.screenshot(app.page, 'hostile-link-notice');
        shot = true;
      }
      await app.id('link-notice-dismiss').click();
      check((await notice.count()) === 0, `${label}: dismiss did not hide the notice`);
      await app.page.close();
    }

    const page = clean.page;
    await page.evaluate(() => {
      location.hash = '#v=1&hw=<script>window.__pwned=1</script>&pp=0';
    });
    await clean.id('link-notice').waitFor();
    const items = (await clean.noticeItems()).join(' | ');
    check(items.includes('machine') && items.includes('prompt tokens'), `hash change: notice lacks the fields: ${items}`);
    check((await page.evaluate(() => typeof window.__pwned)) === 'undefined', 'hash change: window.__pwned was set');
    same(await clean.figures(), defaults, 'figures after a hostile hash change');
    t.note(`${CASES.length} hostile links and one hostile hash change handled`);
  },
};
