// A hidden tab stops the run (its timings would be throttled), and a failed allocation
// stops it with an offer to retry on a smaller working set, which then completes.
import { check } from '../lib/harness.mjs';
import { DevicePage } from '../pages/DevicePage.mjs';

export default {
  name: 'device: cancel, hidden tab, failed allocation and step-down',
  timeoutMs: 240000,
  async run(t) {
    const context = await t.newContext();
    await context.addInitScript(() => {
      Object.defineProperty(Document.prototype, 'hidden', { get: () => window.__hidden === true, configurable: true });
      // Allocations over 32 MiB fail as out of memory, as on a phone with little memory.
      if (typeof GPUDevice === 'undefined') return;
      const create = GPUDevice.prototype.createBuffer;
      const pop = GPUDevice.prototype.popErrorScope;
      GPUDevice.prototype.createBuffer = function (desc) {
        if (desc.size > 32 * 1024 * 1024) window.__oom = true;
        return create.call(this, desc);
      };
      GPUDevice.prototype.popErrorScope = async function () {
        const error = await pop.call(this);
        if (window.__oom) {
          window.__oom = false;
          return new GPUOutOfMemoryError('simulated: out of memory');
        }
        return error;
      };
    });
    const app = new DevicePage(await t.newPage(context), t.baseUrl);
    await app.openDevice();
    await app.waitAdapter();

    await app.chooseWorkingSet(16);
    await app.run();
    await app.page.waitForFunction(() => Number(document.querySelector('[data-testid=probe-progress]')?.value) >= 1, null, { timeout: 60000 });
    await app.id('probe-cancel').click();
    const cancelled = await app.waitFinished();
    check(/Cancelled/.test(cancelled), `no cancel message: ${cancelled}`);

    await app.run();
    await app.page.waitForSelector('[data-testid=probe-error]', { state: 'detached' });
    await app.page.waitForFunction(() => Number(document.querySelector('[data-testid=probe-progress]')?.value) >= 1, null, { timeout: 60000 });
    await app.page.evaluate(() => { window.__hidden = true; });
    const hidden = await app.waitFinished();
    check(/hidden/.test(hidden), `no hidden-tab message: ${hidden}`);
    await app.page.evaluate(() => { window.__hidden = false; });

    await app.chooseWorkingSet(64);
    await app.run();
    await app.page.waitForFunction(() => /allocate/.test(document.querySelector('[data-testid=probe-error]')?.textContent ?? ''), null, { timeout: 60000 });
    const oom = (await app.id('probe-error').textContent()).trim();
    check(/64 MiB/.test(oom) && /32 MiB/.test(oom), `the allocation message does not step down: ${oom}`);
    await t.screenshot(app.page, 'device-oom');
    await app.id('probe-retry').click();
    await app.page.waitForSelector('[data-testid=probe-error]', { state: 'detached' });
    const retried = await app.waitFinished();
    check(retried === 'done', `the smaller retry did not complete: ${retried}`);
    const report = await app.report();
    const largest = Math.max(...report.measurements.map((m) => m.working_set_bytes ?? 0));
    check(largest === 32 << 20, `the retry used ${largest} bytes, not 32 MiB`);
    t.note(`${hidden.slice(0, 60)} / ${oom.slice(0, 60)}`);
  },
};
