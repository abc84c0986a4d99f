// The theme toggle switches data-theme on <html> between light and dark, and the page's
// colours follow.
import { check, same } from '../lib/harness.mjs';

const background = () => getComputedStyle(document.body).backgroundColor;

export default {
  name: 'theme: toggle switches light/dark',
  async run(t) {
    for (const scheme of ['light', 'dark']) {
      const app = await t.openCalculator('', { context: await t.newContext({ colorScheme: scheme }) });
      const first = await app.theme();
      same(first, scheme, `initial theme with prefers-color-scheme: ${scheme}`);
      const bg1 = await app.page.evaluate(background);
      await app.toggleTheme();
      const second = await app.theme();
      check(['light', 'dark'].includes(second) && second !== first, `toggle went ${first} → ${second}`);
      const bg2 = await app.page.evaluate(background);
      check(bg1 !== bg2, `background colour did not change (${bg1})`);
      await app.toggleTheme();
      same(await app.theme(), first, 'theme after toggling twice');
      if (scheme === 'light') t.note(`light ${bg1} ⇄ dark ${bg2}`);
    }
  },
};
