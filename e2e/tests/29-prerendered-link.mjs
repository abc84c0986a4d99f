// A link's configuration is not the prerendered default: its page shows the prerendered
// view only with the figures hidden, and then the link's figures; never a default figure.
import { check, same, waitFor } from '../lib/harness.mjs';
import { readings, watchFrames } from '../lib/prerendered.mjs';

const LINK = '#v=1&pp=2048&m=qwen2-5-7b';

export default {
  name: 'prerendered first view: a link never shows the default figures',
  async run(t) {
    const sizes = t.isPhone ? [{ width: 360, height: 740 }, { width: 390, height: 844 }] : [null];
    for (const size of sizes) {
      const context = await t.newContext(size ? { viewport: size } : {});
      await context.addInitScript(watchFrames);
      const app = await t.openCalculator(LINK, { context });
      await waitFor(() => app.page.evaluate(() => window.__rooflineFrames.filter((f) => !f.shell).length >= 3), 'frames after the app took over');
      const defaults = await app.page.evaluate(readings, true);
      const figures = await app.figures();
      const frames = await app.page.evaluate(() => window.__rooflineFrames);
      const early = frames.filter((f) => f.shell);
      check(early.length >= 1, 'no frame showed the prerendered view: the test saw nothing before the app');
      for (const f of early) {
        check(Object.keys(f.shown).length === 0, `a prerendered figure is visible on a link's page: ${JSON.stringify(f.shown)}`);
      }
      check(figures.tg !== defaults['tg-value'], `the link's generation equals the default (${figures.tg}): pick another link`);
      const link = { 'tg-value': figures.tg, 'pp-value': figures.pp, 'ttft-value': figures.ttft };
      for (const f of frames) {
        for (const [id, text] of Object.entries(f.shown)) {
          if (id in link) same(text, link[id], `${id} shown on a link's page`);
          check(text !== defaults[id] || text === link[id], `${id} showed the default ${text} on a link's page`);
        }
      }
      const where = size ? `${size.width}×${size.height}` : 'desktop';
      t.note(`${where}: ${early.length} frame(s) of the prerendered view with no figure visible, then ${figures.tg} (default ${defaults['tg-value']})`);
      await context.close();
    }
  },
};
