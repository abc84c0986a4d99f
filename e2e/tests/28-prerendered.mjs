// The first view is prerendered at build time by the same components and core: index.html
// shows, before any script has run, exactly what the app then shows in the default state.
import { check } from '../lib/harness.mjs';
import { readings } from '../lib/prerendered.mjs';

export default {
  name: 'prerendered first view: the app\'s own figures for the default state',
  async run(t) {
    const sizes = t.isPhone ? [{ width: 360, height: 740 }, { width: 390, height: 844 }] : [null];
    for (const size of sizes) {
      const context = size ? await t.newContext({ viewport: size }) : undefined;
      const app = await t.openCalculator('', context ? { context } : {});
      const shell = await app.page.evaluate(readings, true);
      check(shell, 'index.html has no prerendered first view (#app[data-prerendered])');
      const live = await app.page.evaluate(readings, false);
      for (const id of ['tg-value', 'pp-value', 'ttft-value', 'summary-tg', 'hardware', 'model']) {
        check(id in shell, `the prerendered view has no ${id}`);
      }
      // The app adds what comes after the first paint (the editors' fields); what the
      // prerendered view shows, it shows the same.
      const differ = Object.keys(shell).filter((id) => shell[id] !== live[id]);
      check(
        differ.length === 0,
        `prerendered and app differ: ${differ.map((id) => `${id}: ${JSON.stringify(shell[id])} vs ${JSON.stringify(live[id])}`).join('; ')}`,
      );
      const where = size ? `${size.width}×${size.height}` : 'desktop';
      t.note(`${where}: ${Object.keys(shell).length} test ids equal; generation ${shell['tg-value']}, TTFT ${shell['ttft-value']}`);
    }
  },
};
