// The last state is remembered: opening the bare address in the same browser context
// (same localStorage) restores it; a fresh context shows the defaults.
import { check, same, waitFor } from '../lib/harness.mjs';

export default {
  name: 'remembered: bare address restores last state',
  async run(t) {
    const fresh = await t.openCalculator();
    const defaults = { figures: await fresh.figures(), controls: await fresh.controls() };

    const context = await t.newContext();
    const app = await t.openCalculator('', { context });
    await app.pickHardware('M3 Max', 'M3 Max');
    await app.pickModel('gemma', 'Gemma');
    await app.setPromptTokens(7000);
    await waitFor(async () => (await app.shareLink()).includes('pp=7000'), 'the link to hold pp=7000');
    const saved = { figures: await app.figures(), controls: await app.controls() };
    check(JSON.stringify(saved.figures) !== JSON.stringify(defaults.figures), 'changes did not move the figures');

    await app.page.goto(t.baseUrl);
    await app.waitReady();
    same({ figures: await app.figures(), controls: await app.controls() }, saved, 'state after opening the bare address');
    check((await app.id('link-notice').count()) === 0, `restoring produced notices: ${await app.noticeItems()}`);

    const other = await t.openCalculator();
    same({ figures: await other.figures(), controls: await other.controls() }, defaults, 'a fresh context');
  },
};
