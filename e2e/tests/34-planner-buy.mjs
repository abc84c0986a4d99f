// "What should I buy?": machines that meet the target, cheapest first with unknown prices
// last; a budget, a looser target and a machine kind; the state through the share link; a
// row opening the calculator with that machine and the same figures.
import { check, waitFor } from '../lib/harness.mjs';
import { PlannerPage } from '../pages/PlannerPage.mjs';

const PAINTS = 'rooflineShopPaints';

function byPrice(rows) {
  const prices = rows.map((r) => (r.price === '' ? null : Number(r.price)));
  const known = prices.filter((p) => p !== null);
  return prices.slice(0, known.length).every((p, i) => p !== null && (i === 0 || prices[i - 1] <= p)) && prices.slice(known.length).every((p) => p === null);
}

export default {
  name: 'planner: what should I buy — target, budget, kind, link, open in calculator',
  timeoutMs: 150000,
  async run(t) {
    const app = new PlannerPage(await t.newPage(), t.baseUrl);
    await app.openPlanner('#v=1&p=buy&m=qwen2-5-14b&q=Q4_K_M');
    await app.id('planner-buy').waitFor();
    let rows = await app.rows();
    check(rows.length > 20, `only ${rows.length} machines`);
    check(byPrice(rows), 'not cheapest first with unknown prices last');
    check(rows.every((r) => r.cells.verdict === 'interactive'), 'a machine below the interactive target is listed');
    const interactive = rows.length;
    const priced = rows.filter((r) => r.values.electricity !== undefined && r.values.electricity !== null);
    check(priced.length > rows.length / 2 && priced.every((r) => r.values.electricity > 0), 'no electricity cost per million tokens');

    await app.repainted(() => app.id('buy-target').selectOption('offline'), PAINTS);
    rows = await app.rows();
    check(rows.length >= interactive, `offline lists ${rows.length}, fewer than interactive's ${interactive}`);
    await app.repainted(async () => {
      await app.id('buy-budget').fill('2000');
      await app.id('buy-budget').press('Enter');
      await app.id('buy-budget').blur();
    }, PAINTS);
    rows = await app.rows();
    check(rows.every((r) => r.price === '' || Number(r.price) <= 2000), 'a machine over the budget is listed');
    check(byPrice(rows), 'not cheapest first after the budget');
    await app.repainted(() => app.id('buy-kind').selectOption('gpu'), PAINTS);
    rows = await app.rows();
    check(rows.length > 0 && rows.every((r) => Number(r.gpus) > 0), 'the GPU filter let other machines through');

    const link = await waitFor(async () => {
      const l = await app.shareLink();
      return ['p=buy', 'bt=offline', 'bb=2000', 'bk=gpu'].every((k) => l.includes(k)) && l;
    }, 'the share link to carry the shopping state');
    const again = new PlannerPage(await t.newPage(), t.baseUrl);
    await again.openPlanner(link.slice(link.indexOf('#')));
    const key = (rs) => rs.map((r) => `${r.hardware}x${r.gpus}`).join(' ');
    await waitFor(async () => key(await again.rows()) === key(rows), 'the same machines from the link');
    check((await again.id('buy-target').inputValue()) === 'offline', 'the link lost the target');
    await t.screenshot(again.page, 'planner-buy');

    const first = rows[0];
    await again.page.locator('[data-testid=planner-row] a').first().click();
    await again.id('page-calculator').waitFor();
    await again.page.waitForFunction(() => document.querySelector('[data-testid=tg-value]')?.textContent.trim());
    const summary = await again.id('hardware-summary').textContent();
    check(summary.includes(`${first.gpus} ×`) || Number(first.gpus) === 1, `the calculator's machine is not ${first.gpus} GPUs: ${summary}`);
    const tg = (await again.id('tg-value').textContent()).trim();
    check(tg === first.cells.generation, `calculator ${tg} vs row ${first.cells.generation}`);
    t.note(`${interactive} machines run Qwen 2.5 14B Q4_K_M interactively; ${rows.length} GPU machines within $2,000 offline; first: ${first.name} at $${first.price}`);
  },
};
