// The GPU device lost in the middle of generation (the page's test hook destroys it, as a
// driver reset would): generation stops with a message saying how to go on, and loading
// the model again runs it on a new device.
import { check } from '../lib/harness.mjs';
import { makeGgufFiles, removeGgufFiles } from '../lib/model-files.mjs';
import { DevicePage } from '../pages/DevicePage.mjs';

export default {
  name: 'model: device lost mid-generation, then reload',
  timeoutMs: 240000,
  async run(t) {
    const files = makeGgufFiles({ tiny: [] });
    try {
      const app = new DevicePage(await t.newPage(), t.baseUrl);
      await app.openDevice();
      await app.waitAdapter();
      const loaded = await app.loadModelFile(files.tiny);
      check(loaded === 'ready', `the tiny model did not load: ${loaded}`);
      await app.id('model-prompt').fill('tok7');
      await app.id('model-tokens').fill('500');
      await app.id('model-tokens').dispatchEvent('change');
      await app.id('model-generate').click();
      await app.page.waitForFunction(
        () => (document.querySelector('[data-testid=model-token-ids]')?.textContent.trim().split(/\s+/).length ?? 0) >= 3,
        null,
        { timeout: 60000 },
      );
      await app.page.evaluate(() => window.rooflineLoseDevice());
      const run = await app.waitGenerated(60000);
      check(/lost/.test(run.error) && /Load the model again/.test(run.error), `no lost-device message: ${run.error}`);
      check(run.tokens.length < 500, `generation was not interrupted (${run.tokens.length} tokens)`);
      await t.screenshot(app.page, 'model-lost');
      check((await app.loadModelFile(files.tiny)) === 'ready', 'reloading on a new device failed');
      const again = await app.generate('tok7', 4);
      check(!again.error && again.tokens.length === 4, `after reload: ${JSON.stringify(again)}`);
      t.note(run.error.slice(0, 100));
    } finally {
      removeGgufFiles(files);
    }
  },
};
