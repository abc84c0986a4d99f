// "Benchmark a model" on WebGPU (SwiftShader headless): the auto shape on a software
// adapter is the smallest one (and the page says why the bigger ones were not run); the
// run completes with pp/tg figures, the roofline figures and an export in llama-bench's
// field names; the estimator's prediction is shown; and "Calibrate the calculator" changes
// the calculator's numbers for this device and carries the calibrated machine in the link.
import fs from 'node:fs';
import { check } from '../lib/harness.mjs';
import { DevicePage } from '../pages/DevicePage.mjs';

const FRAGMENT = '#v=1&hw=nvidia-geforce-rtx-4070&m=llama-3-1-8b';

export default {
  name: 'device: model benchmark calibrates the calculator',
  viewports: ['desktop'],
  timeoutMs: 480000,
  async run(t) {
    const before = await t.openCalculator(FRAGMENT);
    const tgBefore = (await before.figures()).tg;
    const app = new DevicePage(await t.newPage(), t.baseUrl);
    await app.openDevice(FRAGMENT);
    await app.waitAdapter();
    await app.id('bench-shape').selectOption('auto');
    const t0 = Date.now();
    await app.id('bench-run').click();
    await app.page.waitForSelector('[data-testid=bench-results], [data-testid=bench-error]', { timeout: 420000 });
    check(!(await app.id('bench-error').count()), `the benchmark failed: ${await app.id('bench-error').textContent().catch(() => '')}`);
    const seconds = (Date.now() - t0) / 1000;
    const caption = await app.page.textContent('[data-testid=bench-results] caption');
    check(/SmolLM2 135M/.test(caption), `auto on a software adapter did not pick the smallest shape: ${caption}`);
    const notRun = await app.page.textContent('[data-testid=model-bench]');
    check(/Not run: qwen2-5-14b: software adapter/.test(notRun), 'no reason given for the bigger shapes');
    for (const row of ['bench-pp', 'bench-tg']) {
      const text = await app.id(row).textContent();
      check(/\d/.test(text) && !/NaN|inf/.test(text), `${row}: ${text}`);
    }
    const roofline = await app.id('bench-roofline').textContent();
    check(/MB read per generated token → [\d.]+ GB\/s/.test(roofline), `roofline figures: ${roofline}`);
    const href = await app.id('bench-export').getAttribute('href');
    check(href.startsWith('blob:'), `export is not a local file: ${href}`);
    const [download] = await Promise.all([app.page.waitForEvent('download'), app.id('bench-export').click()]);
    check(download.suggestedFilename() === 'roofline-model-bench.json', download.suggestedFilename());
    const exported = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    const rows = exported.llama_bench;
    check(rows.length === 2 && rows[0].n_prompt > 0 && rows[1].n_gen > 0 && rows[1].avg_ts > 0, `llama-bench rows: ${JSON.stringify(rows)}`);
    for (const field of ['model_type', 'model_size', 'n_prompt', 'n_gen', 'avg_ns', 'stddev_ns', 'avg_ts', 'stddev_ts', 'samples_ts']) {
      check(field in rows[0], `export lacks llama-bench's ${field}`);
    }
    const prediction = await app.id('bench-prediction').textContent();
    check(/The estimator predicts .* on NVIDIA GeForce RTX 4070/.test(prediction), `prediction: ${prediction}`);
    const calibrated = await app.id('bench-calibrated').textContent();
    t.report(`model benchmark (SwiftShader, software): ${rows[0].n_prompt}-token prompt at ${rows[0].avg_ts.toFixed(2)} token/s, ${rows[1].n_gen} generated at ${rows[1].avg_ts.toFixed(2)} token/s, in ${seconds.toFixed(0)} s; ${calibrated}`);
    await t.screenshot(app.page, 'device-bench');
    await app.id('bench-calibrate').click();
    await app.page.waitForFunction(() => document.querySelector('[data-testid=hardware-summary]')?.textContent.includes('measured'), null, { timeout: 15000 });
    const tgAfter = (await app.figures()).tg;
    check(tgAfter !== tgBefore, `calibration did not change the generation estimate (${tgBefore})`);
    t.note(`generation estimate for Llama 3.1 8B on the RTX 4070: ${tgBefore} → ${tgAfter} calibrated with this device's run`);
    // The calculator predicts what the device page said it would for the same model.
    const promised = Number(/about ([\d.e+-]+) token\/s/.exec(calibrated)?.[1]);
    const shown = Number(/[\d.]+(e[+-]?\d+)?/.exec(tgAfter)?.[0]);
    check(promised > 0 && Math.abs(shown / promised - 1) < 0.05, `the calculator shows ${tgAfter}, the device page promised ${promised}`);
  },
};
