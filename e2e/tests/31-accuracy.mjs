// "How accurate is this?": opening the section fetches accuracy.tsv (not in the first load)
// and shows every source's in-sample, held-out and by-device errors.
import { check, waitFor } from '../lib/harness.mjs';

export default {
  name: 'the accuracy section shows the errors per source, held out',
  async run(t) {
    const app = await t.openCalculator();
    const fetched = [];
    app.page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
    check(!fetched.some((p) => p.endsWith('accuracy.tsv')), 'accuracy.tsv fetched before the section was opened');
    const section = app.id('accuracy');
    await section.locator('summary').scrollIntoViewIfNeeded();
    await section.locator('summary').click();
    await app.id('accuracy-table').waitFor();
    const rows = await app.page.$$eval('[data-testid=accuracy-row]', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())),
    );
    const sources = new Set(rows.map((r) => r[0]));
    for (const s of ['localscore', 'strix-halo-2026-05', 'xiongjiedai-2024-05']) {
      check(sources.has(s), `no rows for ${s}: ${[...sources].join(', ')}`);
    }
    const heldOut = rows.filter((r) => r[1] === 'held out');
    check(heldOut.length >= 6, `only ${heldOut.length} held-out rows`);
    const ls = rows.find((r) => r[0] === 'localscore' && r[1] === 'held out' && r[2] === 'generation');
    check(ls && /^\d+(\.\d)?%$/.test(ls[4]), `LocalScore's held-out generation error: ${JSON.stringify(ls)}`);
    await waitFor(async () => fetched.some((p) => p.endsWith('accuracy.tsv')), 'accuracy.tsv to be fetched');
    t.note(`${rows.length} rows from ${sources.size} sources`);
  },
};
