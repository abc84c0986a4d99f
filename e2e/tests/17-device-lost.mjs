// A device lost in the middle of a run (the page's test hook destroys it, as a driver
// reset would) stops with a message and a retry, and the retry completes on a new device.
import { check } from '../lib/harness.mjs';
import { DevicePage } from '../pages/DevicePage.mjs';

export default {
  name: 'device: lost device mid-run, then retry',
  timeoutMs: 240000,
  async run(t) {
    const app = new DevicePage(await t.newPage(), t.baseUrl);
    await app.openDevice();
    await app.waitAdapter();
    await app.chooseWorkingSet(16);
    await app.run();
    await app.page.waitForFunction(() => Number(document.querySelector('[data-testid=probe-progress]')?.value) >= 2, null, { timeout: 60000 });
    await app.page.evaluate(() => window.rooflineLoseDevice());
    const outcome = await app.waitFinished();
    check(/lost/.test(outcome) && /Retry/.test(outcome), `no lost-device message: ${outcome}`);
    await t.screenshot(app.page, 'device-lost');
    await app.id('probe-retry').click();
    await app.page.waitForSelector('[data-testid=probe-error]', { state: 'detached' });
    const retried = await app.waitFinished();
    check(retried === 'done', `the retry did not complete: ${retried}`);
    t.note(outcome.slice(0, 90));
  },
};
