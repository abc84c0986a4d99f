// The exact number box beside a slider refuses out-of-range input with a visible message
// and keeps the previous value and figures.
import { check, same, waitFor } from '../lib/harness.mjs';

export default {
  name: 'number box: out-of-range input is refused',
  async run(t) {
    const app = await t.openCalculator();
    await app.setPromptTokens(2000);
    await waitFor(async () => (await app.shareLink()).includes('pp=2000'), 'the link to hold pp=2000');
    const figures = await app.figures();
    const link = await app.shareLink();
    const slider = await app.id('prompt-tokens-slider').inputValue();

    for (const bad of ['-5', '1e12', '131073', '2.5']) {
      await app.setPromptTokens(bad);
      const error = app.id('field-error');
      await error.first().waitFor({ state: 'visible', timeout: 3000 }).catch(() => {
        throw new Error(`no visible field-error after entering ${bad}`);
      });
      const message = (await error.first().textContent()).trim();
      check(/1 to 131\s?072/.test(message), `field-error does not give the range: ${message}`);
      same(await app.figures(), figures, `figures after entering ${bad}`);
      same(await app.shareLink(), link, `link after entering ${bad}`);
      same(await app.id('prompt-tokens-slider').inputValue(), slider, `slider position after entering ${bad}`);
      const shown = await app.promptTokens();
      if (shown !== '2000') t.note(`after ${bad} the box still shows "${shown}" (state kept at 2000) — message: ${message}`);
    }

    await app.setPromptTokens(3000);
    await waitFor(async () => (await app.id('field-error').count()) === 0, 'the field-error to clear after a valid entry');
    await waitFor(async () => (await app.figures()).ttft !== figures.ttft, 'figures to follow a valid entry');
  },
};
