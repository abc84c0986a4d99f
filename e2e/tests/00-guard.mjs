// The global checks themselves: an off-origin request, a console error, an uncaught
// exception and a panic banner are each caught (then cleared, so this test passes). The
// site's content security policy would refuse the off-origin request before it left, so
// this context bypasses it (19-csp tests the policy itself).
import { check, sleep } from '../lib/harness.mjs';

export default {
  name: 'guard: global checks catch what they should',
  async run(t) {
    const context = await t.newContext({ bypassCSP: true });
    await context.route('http://example.invalid/**', (route) => route.abort());
    const app = await t.openCalculator('', { context });
    const before = t.guard.problems.length;
    check(before === 0, `problems before the probes: ${t.guard.problems.join('; ')}`);
    await app.page.evaluate(() => {
      fetch('http://example.invalid/probe').catch(() => {});
      fetch('data:text/plain,fine');
      console.error('guard probe');
      setTimeout(() => {
        throw new Error('guard probe exception');
      });
      const div = document.createElement('div');
      div.setAttribute('data-testid', 'panic');
      div.textContent = 'guard probe panic';
      document.body.append(div);
    });
    await sleep(300);
    await t.guard.checkPanics();
    const caught = t.guard.problems.splice(before);
    const has = (re) => caught.some((p) => re.test(p));
    check(has(/left the origin: http:\/\/example\.invalid\/probe/), `off-origin request not caught: ${caught.join('; ')}`);
    check(!has(/data:text/), 'a data: URL was reported');
    check(has(/console error.*guard probe/), `console error not caught: ${caught.join('; ')}`);
    check(has(/pageerror.*guard probe exception/), `uncaught exception not caught: ${caught.join('; ')}`);
    check(has(/panic banner: guard probe panic/), `panic banner not caught: ${caught.join('; ')}`);
    await app.page.evaluate(() => document.querySelector('[data-testid=panic]').remove());
  },
};
