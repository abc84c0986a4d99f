// Dragging the prompt-tokens slider changes the prompt figures, the exact box beside it,
// and (where the charts are built) the charts' pixels.
import { check, waitFor } from '../lib/harness.mjs';
import { CHART_IDS } from '../pages/CalculatorPage.mjs';

export default {
  name: 'slider: prompt tokens move PP/TTFT and charts',
  async run(t) {
    const app = await t.openCalculator();
    const before = await app.figures();
    const boxBefore = await app.promptTokens();
    const chartsBefore = await app.charts();

    await app.slide('prompt-tokens', 900);
    const after = await waitFor(async () => {
      const f = await app.figures();
      return f.ttft !== before.ttft && f;
    }, 'TTFT to change after moving the slider');
    const boxAfter = await app.promptTokens();
    check(Number(boxAfter) > Number(boxBefore), `exact box did not follow the slider: ${boxBefore} → ${boxAfter}`);
    check(after.pp !== before.pp, `prompt rate unchanged at ${boxAfter} prompt tokens: ${after.pp}`);
    check(parseFloat(after.ttft) > 0, `TTFT not shown: ${after.ttft}`);

    await app.id('prompt-tokens-slider').focus();
    await app.id('prompt-tokens-slider').press('ArrowLeft');
    await app.id('prompt-tokens-slider').press('ArrowLeft');
    await waitFor(async () => (await app.promptTokens()) !== boxAfter, 'the arrow keys to move the slider');
    t.note(`prompt tokens ${boxBefore} → ${boxAfter} → ${await app.promptTokens()} (keys); TTFT ${before.ttft} → ${after.ttft}; PP ${before.pp} → ${after.pp}`);

    if (Object.keys(chartsBefore).length === 0) {
      t.note('SKIP: charts not in this build (no chart-bandwidth, chart-ttft or chart-memory)');
      return;
    }
    const missing = CHART_IDS.filter((id) => !(id in chartsBefore));
    check(missing.length === 0, `some charts are missing: ${missing.join(', ')}`);
    for (const id of CHART_IDS) check(chartsBefore[id], `${id} has no canvas`);
    await app.slide('prompt-tokens', 200);
    const changed = await waitFor(async () => {
      await app.page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
      const now = await app.charts();
      const diff = CHART_IDS.filter((id) => now[id] !== chartsBefore[id]);
      return diff.length > 0 && diff;
    }, 'a chart to redraw after moving the slider');
    t.note(`charts redrawn: ${changed.join(', ')}${changed.length < CHART_IDS.length ? `; unchanged: ${CHART_IDS.filter((id) => !changed.includes(id)).join(', ')}` : ''}`);
  },
};
