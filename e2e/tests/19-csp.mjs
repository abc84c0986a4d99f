// The built site's content security policy: index.html carries it before any script, has
// no inline script, and the policy refuses a request to another origin (the page keeps
// working); every other test runs under the same policy, and the guard fails any test
// on the console error a violation prints.
import { check, plausibleRate } from '../lib/harness.mjs';

export default {
  name: 'csp: strict policy, no inline script, other origins refused',
  async run(t) {
    const html = await (await fetch(t.baseUrl)).text();
    const meta = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/);
    check(meta, 'index.html has no Content-Security-Policy meta tag');
    const policy = Object.fromEntries(meta[1].split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    check(policy['script-src']?.join(' ') === "'self' 'wasm-unsafe-eval'", `script-src is ${policy['script-src']}`);
    check(policy['default-src']?.join(' ') === "'self'", `default-src is ${policy['default-src']}`);
    check(policy['connect-src']?.join(' ') === "'self'", `connect-src is ${policy['connect-src']}`);
    check(policy['object-src']?.join(' ') === "'none'", `object-src is ${policy['object-src']}`);
    check(html.indexOf('Content-Security-Policy') < html.indexOf('<script'), 'the policy comes after a script');
    const inline = [...html.matchAll(/<script\b([^>]*)>/g)].filter((m) => !/\bsrc=/.test(m[1]));
    check(inline.length === 0, `inline scripts in index.html: ${inline.length}`);
    check(!/\son[a-z]+=/.test(html), 'an inline event handler in index.html');

    const app = await t.openCalculator('#v=1');
    const before = t.guard.problems.length;
    const refused = await app.page.evaluate(async () => {
      const seen = new Promise((ok) => document.addEventListener('securitypolicyviolation', (e) => ok(e.violatedDirective), { once: true }));
      const fetched = await fetch('https://example.com/').then(() => 'fetched', () => 'refused');
      return [fetched, await seen];
    });
    // The refusal prints console errors by design; they are this test's evidence, not a fault.
    const printed = t.guard.problems.splice(before);
    check(refused[0] === 'refused' && refused[1] === 'connect-src', `another origin was not refused: ${refused}`);
    check(printed.some((p) => /Content Security Policy/.test(p)), 'the browser did not report the violation');
    check(!t.guard.requests.some((u) => u.startsWith('https://example.com')), 'the request left the page');
    plausibleRate(await app.id('tg-value').textContent(), 'generation after the refusal');
    t.note(`policy: ${meta[1]}`);
  },
};
