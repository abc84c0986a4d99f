// The planner's two pages ("What can I run?", "What should I buy?"), a module the site
// loads when one of them opens: their controls, rows and the counters the module bumps
// after each paint of a table.
import { AppPage } from './AppPage.mjs';

export class PlannerPage extends AppPage {
  /** Opens the site at `fragment` (which names p=plan or p=buy) and waits for rows. */
  async openPlanner(fragment) {
    await this.page.goto(this.baseUrl + fragment);
    await this.waitRows();
  }

  async waitRows() {
    await this.page.waitForFunction(
      () =>
        document.querySelector('[data-testid=panic]') ||
        document.querySelector('[data-testid=planner-load-error]') ||
        document.querySelector('[data-testid=planner-row]') ||
        /^0 of|No catalog machine/.test(document.querySelector('[data-testid=planner-count], [data-testid=buy-count]')?.textContent ?? ''),
      null,
      { timeout: 30000 },
    );
    if (await this.id('panic').count()) throw new Error(`panic banner: ${await this.id('panic').first().textContent()}`);
    if (await this.id('planner-load-error').count()) throw new Error('the planner module did not load');
  }

  /** Every row's data attributes and cell texts. */
  async rows() {
    return this.page.$$eval('[data-testid=planner-row]', (trs) =>
      trs.map((tr) => ({
        ...tr.dataset,
        href: tr.querySelector('a')?.getAttribute('href'),
        name: tr.querySelector('[role=rowheader]')?.textContent.trim(),
        cells: Object.fromEntries([...tr.querySelectorAll('[role=cell][data-col]')].map((td) => [td.dataset.col, td.textContent.trim()])),
        values: Object.fromEntries([...tr.querySelectorAll('[role=cell][data-v]')].map((td) => [td.dataset.col, td.dataset.v === '' ? null : Number(td.dataset.v)])),
      })),
    );
  }

  /** How many times the module has painted a table (`window.rooflinePlanPaints` or
   *  `rooflineShopPaints`). */
  async paints(name = 'rooflinePlanPaints') {
    return this.page.evaluate((n) => window[n] ?? 0, name);
  }

  /** Runs `action`, then waits for the next paint of the table. */
  async repainted(action, name = 'rooflinePlanPaints') {
    const before = await this.paints(name);
    await action();
    await this.page.waitForFunction(([n, b]) => (window[n] ?? 0) > b, [name, before], { timeout: 15000 });
  }

  async sortBy(column) {
    await this.repainted(() => this.id(`planner-sort-${column}`).click());
  }

  async ariaSort(column) {
    return this.id(`planner-sort-${column}`).locator('xpath=..').getAttribute('aria-sort');
  }
}

/** A speed or time cell as a number in its base unit (token/s, s); `null` for "—". */
export function figure(text) {
  if (!text || text === '—') return null;
  const m = /^([\d.]+)\s*(µs|ms|s|min|h|d|token\/s)/.exec(text);
  if (!m) return null;
  const x = Number(m[1]);
  return { 'µs': x / 1e6, ms: x / 1e3, s: x, min: x * 60, h: x * 3600, d: x * 86400, 'token/s': x }[m[2]];
}
