// The compare view: starter example, up to four slots with their own pickers and figures,
// and the verdict matrix.
import { AppPage } from './AppPage.mjs';
import { pickFrom } from './CalculatorPage.mjs';

export class CompareSlot {
  constructor(app, n) {
    this.app = app;
    this.n = n;
    this.root = app.id(`compare-slot-${n}`);
  }

  sid(testid) {
    return this.root.locator(`[data-testid="${testid}"]`);
  }

  async figures() {
    const text = async (id) => ((await this.sid(id).count()) ? (await this.sid(id).textContent()).trim() : null);
    return { pp: await text('slot-pp'), ttft: await text('slot-ttft'), tg: await text('slot-tg') };
  }

  async pickHardware(search, optionText) {
    return pickFrom(this.root, 'slot-hardware', search, optionText);
  }

  async pickModel(search, optionText) {
    return pickFrom(this.root, 'slot-model', search, optionText);
  }

  async pickQuant(name) {
    await this.sid('slot-quant').selectOption(name);
  }

  async remove() {
    await this.sid('slot-remove').click();
  }

  async title() {
    return (await this.root.locator('h3').textContent()).trim();
  }
}

export class ComparePage extends AppPage {
  async open(fragment = '') {
    await super.open(fragment);
    if ((await this.currentPage()) !== 'compare') await this.gotoCompare();
  }

  async loadStarter() {
    await this.id('compare-starter').click();
    await this.id('compare-slot-4').waitFor();
  }

  async addCurrent() {
    await this.id('compare-add').click();
  }

  slot(n) {
    return new CompareSlot(this, n);
  }

  async slotCount() {
    return this.page.locator('[data-testid^="compare-slot-"]').count();
  }

  async matrixRows() {
    return this.id('compare-matrix').locator('[data-testid="compare-row"]').count();
  }
}
