// Catalog search: every example the search boxes' placeholders suggest finds entries, and
// a typed query survives changes made elsewhere on the page.
import { check } from '../lib/harness.mjs';

async function matches(app, testid, query) {
  await app.id(`${testid}-search`).fill(query);
  return app.id(testid).evaluate((el) => [...el.options].filter((o) => o.value && !o.selected).length);
}

export default {
  name: 'search: placeholder examples match, query kept',
  async run(t) {
    const app = await t.openCalculator();
    const found = [];
    for (const testid of ['hardware', 'model']) {
      const placeholder = await app.id(`${testid}-search`).getAttribute('placeholder');
      const examples = placeholder.replace(/^e\.g\.\s*/, '').split(',').map((s) => s.trim()).filter(Boolean);
      check(examples.length > 0, `no examples in the ${testid} placeholder: ${placeholder}`);
      for (const q of examples) {
        const n = await matches(app, testid, q);
        found.push(`${q}: ${n}`);
        if (n === 0) t.fail(`${testid} search for the placeholder's own example "${q}" finds nothing`);
      }
      await app.id(`${testid}-search`).fill('');
    }
    t.note(`entries found per placeholder example: ${found.join(', ')}`);

    await app.id('hardware-search').fill('4090');
    const before = await app.id('hardware').evaluate((el) => el.options.length);
    await app.usePreset('UC2');
    await app.page.waitForFunction(() => document.querySelector('[data-testid=prompt-tokens]').value === '4096');
    const query = await app.id('hardware-search').inputValue();
    const after = await app.id('hardware').evaluate((el) => el.options.length);
    check(query === '4090' && after === before, `hardware search "4090" (${before} options) became "${query}" (${after} options) after clicking UC2`);
  },
};
