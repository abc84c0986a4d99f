// Back and forward step through changes made more than a second apart (changes within a
// second are coalesced into one history entry).
import { check, same, sleep, waitFor } from '../lib/harness.mjs';

const GAP_MS = 1200;

async function state(app) {
  return { figures: await app.figures(), controls: await app.controls() };
}

export default {
  name: 'history: back and forward restore states',
  async run(t) {
    const app = await t.openCalculator();
    const initial = await state(app);
    await sleep(GAP_MS);
    await app.pickHardware('4090', 'GeForce RTX 4090 (GPU)');
    await waitFor(async () => (await app.figures()).tg !== initial.figures.tg, 'figures to change with the machine');
    const first = await state(app);
    const firstHash = await app.page.evaluate(() => location.hash);
    await sleep(GAP_MS);
    await app.usePreset('UC2');
    await waitFor(async () => (await app.figures()).ttft !== first.figures.ttft, 'figures to change with UC2');
    const second = await state(app);
    const historyLength = await app.page.evaluate(() => history.length);

    await app.page.goBack();
    await waitFor(async () => (await app.figures()).ttft === first.figures.ttft, 'back to restore the first change');
    same(await state(app), first, 'state after back');
    same(await app.page.evaluate(() => location.hash), firstHash, 'fragment after back');

    await app.page.goBack();
    await waitFor(async () => (await app.figures()).tg === initial.figures.tg, 'a second back to restore the defaults');
    same(await state(app), initial, 'state after two backs');

    await app.page.goForward();
    await waitFor(async () => (await app.figures()).tg === first.figures.tg, 'forward to restore the first change');
    await app.page.goForward();
    await waitFor(async () => (await app.figures()).ttft === second.figures.ttft, 'forward to restore the second change');
    same(await state(app), second, 'state after forward');
    check((await app.page.evaluate(() => history.length)) === historyLength, 'back/forward added history entries');
    t.note(`history length ${historyLength}; TTFT ${initial.figures.ttft} → ${first.figures.ttft} → ${second.figures.ttft}`);
  },
};
