// Choosing presets: a machine found by search, a model, a quantization, a use case and a
// LocalScore test each change the figures, which stay plausible.
import { check, plausibleDuration, plausibleRate, waitFor } from '../lib/harness.mjs';

async function expectChange(app, before, what) {
  const after = await waitFor(async () => {
    const f = await app.figures();
    return JSON.stringify(f) !== JSON.stringify(before) && f;
  }, `figures to change after ${what}`);
  plausibleRate(after.pp, `prompt rate after ${what}`);
  plausibleDuration(after.ttft, `time to first token after ${what}`);
  plausibleRate(after.tg, `generation rate after ${what}`);
  return after;
}

export default {
  name: 'presets: hardware, model, quant, UC2, LocalScore',
  async run(t) {
    const app = await t.openCalculator();
    let figures = await app.figures();
    plausibleRate(figures.pp, 'default prompt rate');
    plausibleRate(figures.tg, 'default generation rate');
    const summary0 = await app.hardwareSummary();

    await app.pickHardware('4090', 'GeForce RTX 4090 (GPU)');
    figures = await expectChange(app, figures, 'picking the RTX 4090');
    const summary1 = await app.hardwareSummary();
    check(summary1 !== summary0 && summary1.includes('RTX 4090'), `hardware summary did not update: ${summary1}`);
    check(/\b24(\.0)? GB VRAM/.test(summary1), `hardware summary lacks the 4090's 24 GB VRAM: ${summary1}`);

    await app.pickModel('qwen2.5 14b', 'Qwen2.5 14B Instruct');
    figures = await expectChange(app, figures, 'picking Qwen2.5 14B');
    check((await app.modelSummary()).startsWith('Qwen2.5 14B'), 'model summary does not name Qwen2.5 14B');

    await app.pickQuant('Q8_0');
    figures = await expectChange(app, figures, 'picking Q8_0');

    await app.usePreset('UC2');
    figures = await expectChange(app, figures, 'the UC2 preset');
    check((await app.promptTokens()) === '4096', 'UC2 did not set 4096 prompt tokens');
    check((await app.id('preset-uc2').getAttribute('aria-pressed')) === 'true', 'UC2 chip is not shown as pressed');

    await app.localScoreTest(1);
    figures = await expectChange(app, figures, 'LocalScore test 1');
    check((await app.promptTokens()) === '1024', 'LocalScore test 1 did not set 1024 prompt tokens');

    const ls = (await app.id('localscore-value').textContent()).trim();
    check(/^\d+$/.test(ls), `LocalScore is not a number: ${ls}`);
    t.note(`RTX 4090 · Qwen2.5 14B Q8_0 · test 1: PP ${figures.pp}, TTFT ${figures.ttft}, TG ${figures.tg}, LocalScore ${ls}`);
    await t.screenshot(app.page, 'calculator');
  },
};
