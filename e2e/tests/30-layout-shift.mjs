// The app takes over the prerendered first view without moving anything: the cumulative
// layout shift of a load, its charts and deferred data included, stays at most 0.02 (at
// 360×740 and 390×844 on a phone, and on the desktop), for the default view and a link.
import { check, waitFor, sleep } from '../lib/harness.mjs';
import { CalculatorPage } from '../pages/CalculatorPage.mjs';

const MAX_CLS = 0.02;

/** Runs before the page's scripts: sums layout shifts not caused by input. */
function watchShifts() {
  window.__rooflineCls = 0;
  window.__rooflineShifts = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.hadRecentInput) continue;
      window.__rooflineCls += e.value;
      window.__rooflineShifts.push({ value: e.value, at: Math.round(e.startTime), nodes: e.sources?.map((s) => s.node?.nodeName + '.' + (s.node?.className ?? '')) });
    }
  }).observe({ type: 'layout-shift', buffered: true });
}

export default {
  name: 'prerendered first view: no layout shift when the app takes over',
  async run(t) {
    const sizes = t.isPhone ? [{ width: 360, height: 740 }, { width: 390, height: 844 }] : [null];
    const seen = [];
    for (const size of sizes) {
      for (const fragment of ['', '#v=1&pp=2048&m=qwen2-5-7b']) {
        const context = await t.newContext(size ? { viewport: size } : {});
        await context.addInitScript(watchShifts);
        const app = new CalculatorPage(await t.newPage(context), t.baseUrl);
        await app.open(fragment);
        // The charts and LocalScore's points come after the first paint: wait for them.
        await waitFor(() => app.page.evaluate(() => (window.rooflineUpdates ?? 0) >= 1), 'the charts to be drawn', { timeout: 10000 });
        await sleep(1000);
        const { cls, shifts } = await app.page.evaluate(() => ({ cls: window.__rooflineCls, shifts: window.__rooflineShifts }));
        const where = `${size ? `${size.width}×${size.height}` : 'desktop'}${fragment ? ' (link)' : ''}`;
        check(cls <= MAX_CLS, `layout shift ${cls.toFixed(4)} > ${MAX_CLS} at ${where}: ${JSON.stringify(shifts)}`);
        seen.push(`${where} ${cls.toFixed(4)}`);
        await context.close();
      }
    }
    t.note(`cumulative layout shift: ${seen.join(', ')}`);
  },
};
