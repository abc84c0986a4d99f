// On a phone the estimate is on the first screen: a one-line summary (generation, time to
// first token, fits, verdict) above the inputs, kept in view while the page scrolls to the
// inputs below and updated when one changes. On a wide screen it is hidden (the results sit
// beside the inputs). Also: the custom machine editor's laptop-GPU checkbox changes the
// generation figure and the link carries it.
import { check, same, waitFor } from '../lib/harness.mjs';

async function summaryBox(app) {
  return app.id('summary').evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, visible: getComputedStyle(el).display !== 'none' && r.height > 0 };
  });
}

export default {
  name: 'phone: the estimate summary is on the first screen and stays there',
  async run(t) {
    const sizes = t.isPhone ? [{ width: 360, height: 740 }, { width: 390, height: 844 }] : [null];
    for (const size of sizes) {
      const context = size ? await t.newContext({ viewport: size }) : undefined;
      const app = await t.openCalculator('', context ? { context } : {});
      const tg = await app.id('tg-value').textContent();
      if (!size) {
        check(!(await summaryBox(app)).visible, 'the summary shows on a wide screen');
        // The laptop-GPU checkbox of the custom machine editor.
        await app.id('hardware-edit').locator('summary').click();
        await app.id('gpu-laptop').check();
        await waitFor(async () => /hl=1/.test(await app.shareLink()), 'the link to carry the laptop GPU');
        const laptop = await waitFor(async () => {
          const v = await app.id('tg-value').textContent();
          return v !== tg && v;
        }, 'a laptop GPU to change the generation figure');
        t.note(`desktop: summary hidden; laptop GPU: generation ${tg} → ${laptop}`);
        continue;
      }
      const box = await summaryBox(app);
      check(box.visible && box.top >= 0 && box.bottom <= size.height, `summary not on the first screen at ${size.width}×${size.height}: ${JSON.stringify(box)}`);
      same(await app.id('summary-tg').textContent(), tg, 'summary generation vs the results card');
      // Scroll to the workload's inputs, change one: the summary is still in view and follows.
      await app.id('batch').scrollIntoViewIfNeeded();
      const before = await app.id('summary-ttft').textContent();
      await app.setPromptTokens(4000);
      const after = await waitFor(async () => {
        const v = await app.id('summary-ttft').textContent();
        return v !== before && v;
      }, 'the summary to follow the prompt length');
      const scrolled = await summaryBox(app);
      check(scrolled.top >= 0 && scrolled.bottom <= size.height, `summary scrolled out of view: ${JSON.stringify(scrolled)}`);
      same(after, await app.id('ttft-value').textContent(), 'summary time to first token vs the results card after a change');
      await t.screenshot(app.page, `summary-${size.width}x${size.height}`);
      t.note(`${size.width}×${size.height}: summary at ${Math.round(box.top)}–${Math.round(box.bottom)} px; 4000-token prompt: TTFT ${before} → ${after}, still in view at ${Math.round(scrolled.top)} px`);
    }
  },
};
