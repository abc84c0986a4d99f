// The compare view: the starter loads four slots with figures and a four-row verdict
// matrix; changing a slot's machine changes its figures; removing a slot removes its row.
import { check, plausibleDuration, plausibleRate, waitFor } from '../lib/harness.mjs';

export default {
  name: 'compare: starter, slot machine change, remove',
  async run(t) {
    const app = await t.openCompare();
    await app.loadStarter();
    check((await app.slotCount()) === 4, `starter gave ${await app.slotCount()} slots`);
    const figures = [];
    for (let n = 1; n <= 4; n++) {
      const f = await app.slot(n).figures();
      plausibleRate(f.pp, `slot ${n} prompt rate`);
      plausibleDuration(f.ttft, `slot ${n} TTFT`);
      plausibleRate(f.tg, `slot ${n} generation rate`);
      figures.push(f);
    }
    check((await app.matrixRows()) === 4, `matrix has ${await app.matrixRows()} rows, not 4`);
    check(new Set(figures.map((f) => f.tg)).size > 1, `all four slots show the same generation rate: ${figures[0].tg}`);
    await t.screenshot(app.page, 'compare');

    const slot1 = app.slot(1);
    const title = await slot1.title();
    await slot1.pickHardware('M4 Max', 'M4 Max');
    const changed = await waitFor(async () => {
      const f = await app.slot(1).figures();
      return f.tg !== figures[0].tg && f;
    }, 'slot 1 figures to change with its machine');
    plausibleRate(changed.tg, 'slot 1 generation rate after the change');
    const title2 = await app.slot(1).title();
    check(title2 !== title && title2.includes('M4 Max'), `slot 1 title did not follow: ${title2}`);
    const others = [];
    for (let n = 2; n <= 4; n++) others.push(await app.slot(n).figures());
    check(JSON.stringify(others) === JSON.stringify(figures.slice(1)), 'changing slot 1 changed other slots');

    const slot2Title = await app.slot(2).title();
    await app.slot(2).remove();
    await waitFor(async () => (await app.slotCount()) === 3, 'three slots after removing one');
    check((await app.matrixRows()) === 3, `matrix has ${await app.matrixRows()} rows after removal`);
    const s2 = await app.slot(2).title();
    check(!s2.includes(slot2Title.replace(/^2\. /, '')), `slot 2 was not the one removed: ${s2}`);
    t.note(`slot 1: ${title} → ${title2}: TG ${figures[0].tg} → ${changed.tg}`);
  },
};
