// "How is this computed?" cites the catalog's sources: the first load leaves them out of the
// wasm, and the site fetches catalog-sources.json after the first estimate.
import { check, waitFor } from '../lib/harness.mjs';

export default {
  name: 'explanations cite the catalog sources fetched after the first load',
  async run(t) {
    const app = await t.openCalculator();
    const how = app.id('how-generation');
    await how.locator('summary').click();
    const panel = app.id('explain-generation');
    await panel.waitFor();
    const text = await waitFor(async () => {
      const s = await panel.textContent();
      return /catalog entry 'NVIDIA GeForce RTX 4070': \S/.test(s) && /in the model catalog: \S/.test(s) && s;
    }, 'the explanation to cite the GPU entry and the model with their sources');
    const links = await panel.locator('a[href^="https://"]').count();
    check(links >= 2, `expected links to the GPU's and the model's sources, found ${links}`);
    t.note(`${links} source links; ${text.length} characters of explanation`);
  },
};
