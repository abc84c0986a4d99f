// "What can I run?": 400+ rows for a machine; sorting both ways; the fits-only, family and
// verdict filters; a change of machine; the page state through the share link; a row
// opening the calculator with the row's own figures.
import { check, waitFor } from '../lib/harness.mjs';
import { PlannerPage } from '../pages/PlannerPage.mjs';

/** Whether `xs` (nulls last) is ordered by `cmp`. */
function ordered(xs, descending) {
  const seen = xs.filter((x) => x !== null && x !== undefined);
  const tail = xs.slice(seen.length);
  if (tail.some((x) => x !== null && x !== undefined)) return false;
  return seen.every((x, i) => i === 0 || (descending ? seen[i - 1] >= x : seen[i - 1] <= x));
}

export default {
  name: 'planner: what can I run — rows, sort, filters, machine, link, open in calculator',
  timeoutMs: 150000,
  async run(t) {
    const app = new PlannerPage(await t.newPage(), t.baseUrl);
    await app.openPlanner('#v=1&p=plan&hw=nvidia-geforce-rtx-4090');
    await app.id('planner-run').waitFor();
    let rows = await app.rows();
    check(rows.length >= 400, `only ${rows.length} rows`);
    check(ordered(rows.map((r) => r.values.generation), true), 'not sorted by generation, fastest first');
    check(rows.some((r) => r.fits === 'gpu') && rows.some((r) => r.fits === 'none'), 'a 4090 should fit some models and not others');
    // The largest context comes after the table.
    await waitFor(async () => (await app.rows()).every((r) => r.cells.context !== '…'), 'the context column to fill in', { timeout: 20000 });
    const llama = (await app.rows()).find((r) => r.model === 'llama-3-1-8b' && r.quant === 'Q4_K_M');
    check(llama && llama.fits === 'gpu' && llama.values.context >= 32768, `Llama 3.1 8B Q4_K_M on a 4090: ${JSON.stringify(llama)}`);
    // Electricity per million tokens: the machine's power ÷ generation speed at $0.25/kWh.
    const perMillion = llama.values.electricity;
    check(perMillion > 0 && perMillion < 5, `Llama 3.1 8B on a 4090 costs ${perMillion} $ per million tokens`);

    // LocalScore's tests are tasks too: test 3 is 2048 prompt tokens → 256.
    await app.repainted(() => app.id('planner-use-case').selectOption({ label: 'LS3: LocalScore test (2048 → 256 tokens)' }));
    check((await app.page.textContent('#plan-caption')).startsWith('2048 prompt tokens → 256 generated'), 'the LocalScore test did not set the lengths');
    await app.repainted(() => app.id('planner-use-case').selectOption({ index: 0 }));

    await app.sortBy('ttft');
    check((await app.ariaSort('ttft')) === 'ascending', 'first click on First token is not ascending');
    rows = await app.rows();
    check(ordered(rows.map((r) => r.values.ttft), false), 'not sorted by time to first token, shortest first');
    await app.sortBy('ttft');
    check((await app.ariaSort('ttft')) === 'descending', 'second click did not reverse');
    check(ordered((await app.rows()).map((r) => r.values.ttft), true), 'not sorted by time to first token, longest first');

    await app.repainted(() => app.id('planner-fits-only').check());
    rows = await app.rows();
    check(rows.length > 0 && rows.every((r) => r.fits !== 'none'), 'fits only still lists models that do not fit');
    await app.repainted(() => app.id('planner-family').selectOption('qwen3'));
    rows = await app.rows();
    check(rows.length > 0 && rows.every((r) => r.model.startsWith('qwen3')), `family qwen3: ${rows.map((r) => r.model).join(', ')}`);
    await app.repainted(() => app.id('planner-verdict').selectOption('interactive'));
    rows = await app.rows();
    check(rows.every((r) => r.cells.verdict === 'interactive'), 'the verdict filter let others through');
    const count = await app.id('planner-count').textContent();
    check(count.startsWith(`${rows.length} of `), `count says ${count} with ${rows.length} rows`);

    // The page state is in the site's share link; a fresh page restores it.
    const link = await waitFor(async () => {
      const l = await app.shareLink();
      return ['p=plan', 'ps=-ttft', 'pf=1', 'pm=qwen3', 'pv=interactive'].every((k) => l.includes(k)) && l;
    }, 'the share link to carry the planner state');
    const again = new PlannerPage(await t.newPage(), t.baseUrl);
    await again.openPlanner(link.slice(link.indexOf('#')));
    await waitFor(async () => (await again.rows()).length === rows.length, 'the same rows from the link');
    const key = (rs) => rs.map((r) => `${r.model}/${r.quant}`).join(' ');
    check(key(await again.rows()) === key(rows), 'the link restored other rows or another order');
    check((await again.ariaSort('ttft')) === 'descending', 'the link lost the sort');
    check(await again.id('planner-fits-only').isChecked(), 'the link lost fits only');

    // A change of machine changes the rows.
    await again.repainted(() => again.id('plan-hardware').selectOption('nvidia-geforce-rtx-3060-12gb'));
    await waitFor(async () => (await again.id('plan-hardware-name').textContent()).includes('3060'), 'the machine name to follow');
    const slower = await again.rows();
    check(key(slower) !== key(rows) || slower[0]?.cells.generation !== rows[0]?.cells.generation, 'the rows did not change with the machine');
    await t.screenshot(again.page, 'planner-run');

    // A row opens the calculator with its configuration and the same figures.
    const first = slower[0];
    await again.page.locator('[data-testid=planner-row] a').first().click();
    await again.id('page-calculator').waitFor();
    await again.page.waitForFunction(() => document.querySelector('[data-testid=tg-value]')?.textContent.trim());
    check((await again.id('model').inputValue()) === first.model, `the calculator shows ${await again.id('model').inputValue()}, not ${first.model}`);
    check((await again.id('quant').inputValue()) === first.quant, `the calculator's quantization is not ${first.quant}`);
    const tg = (await again.id('tg-value').textContent()).trim();
    check(tg === first.cells.generation, `calculator ${tg} vs row ${first.cells.generation}`);
    t.note(`${rows.length} qwen3 rows that fit interactively on a 4090; on a 3060 the fastest is ${first.name} ${first.quant} at ${first.cells.generation}`);
  },
};
