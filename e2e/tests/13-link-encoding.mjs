// Links pass through mail and chat clients that percent-encode characters: an encoded
// catalog id, or a catalog name with spaces (which the browser encodes), still resolves.
import { check } from '../lib/harness.mjs';

const CASES = ['#v=1&hw=nvidia%2Dgeforce%2Drtx%2D4090', '#v=1&hw=NVIDIA GeForce RTX 4090'];

export default {
  name: 'link encoding: percent-encoded values resolve',
  async run(t) {
    const context = await t.newContext();
    for (const fragment of CASES) {
      const app = await t.openCalculator(fragment, { context });
      const notices = await app.noticeItems();
      const summary = await app.hardwareSummary();
      if (notices.length || !summary.startsWith('NVIDIA GeForce RTX 4090:')) {
        t.fail(`${fragment} (location.hash ${await app.page.evaluate(() => location.hash)}) did not open the RTX 4090: ${notices.join(' | ') || summary.slice(0, 60)}`);
      }
      await app.page.close();
    }
  },
};
