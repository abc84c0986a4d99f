// Without WebGPU (navigator.gpu removed) or without an adapter (requestAdapter gives
// null), the device page says why in plain words, offers no run, and the calculator works.
import { check, plausibleRate } from '../lib/harness.mjs';
import { DevicePage } from '../pages/DevicePage.mjs';

async function calculatorStillWorks(app) {
  await app.gotoCalculator();
  plausibleRate(await app.id('tg-value').textContent(), 'generation after the device page');
}

export default {
  name: 'device: no WebGPU, no adapter',
  async run(t) {
    const noGpu = await t.newContext();
    await noGpu.addInitScript(() => {
      delete Navigator.prototype.gpu;
    });
    const app = new DevicePage(await t.newPage(noGpu), t.baseUrl);
    await app.openDevice();
    await app.waitAdapter();
    const why = await app.id('no-webgpu').textContent();
    check(/WebGPU/.test(why) && /calculator works without it/.test(why), `no explanation: ${why}`);
    check((await app.id('probe-run').count()) === 0, 'a run button is offered without WebGPU');
    await t.screenshot(app.page, 'device-no-webgpu');
    await calculatorStillWorks(app);

    const noAdapter = await t.newContext();
    await noAdapter.addInitScript(() => {
      if (typeof GPU !== 'undefined') GPU.prototype.requestAdapter = async () => null;
    });
    const second = new DevicePage(await t.newPage(noAdapter), t.baseUrl);
    await second.openDevice();
    await second.waitAdapter();
    const text = await second.id('no-adapter').textContent();
    check(/no GPU adapter/.test(text), `no explanation for a missing adapter: ${text}`);
    check((await second.id('probe-run').count()) === 0, 'a run button is offered without an adapter');
    await calculatorStillWorks(second);
    t.note(why.trim().slice(0, 100));
  },
};
