// The calculator: pickers, presets, sliders with their exact boxes, GGUF input, charts.
import { AppPage } from './AppPage.mjs';

export const CHART_IDS = ['chart-bandwidth', 'chart-ttft', 'chart-memory'];

/** Picks the option of `select` whose text contains `optionText` after typing `search`. */
export async function pickFrom(root, testid, search, optionText) {
  await root.locator(`[data-testid="${testid}-search"]`).fill(search);
  const select = root.locator(`select[data-testid="${testid}"]`);
  const value = await select.evaluate((el, want) => {
    const opt = [...el.options].find((o) => o.textContent.includes(want));
    return opt ? opt.value : null;
  }, optionText);
  if (value == null) {
    const texts = await select.evaluate((el) => [...el.options].map((o) => o.textContent.trim()));
    throw new Error(`no option containing "${optionText}" in ${testid} after searching "${search}": ${texts.join(' | ')}`);
  }
  await select.selectOption(value);
  return value;
}

export class CalculatorPage extends AppPage {
  async pickHardware(search, optionText) {
    return pickFrom(this.page, 'hardware', search, optionText);
  }

  async pickModel(search, optionText) {
    return pickFrom(this.page, 'model', search, optionText);
  }

  async pickQuant(name) {
    await this.id('quant').selectOption(name);
  }

  async usePreset(uc) {
    await this.id(`preset-${uc.toLowerCase()}`).click();
  }

  /** LocalScore test `n` (1–9). */
  async localScoreTest(n) {
    const value = await this.id('preset-localscore').evaluate((el, i) => el.options[i].value, n);
    await this.id('preset-localscore').selectOption(value);
  }

  async setPlacement(value) {
    await this.id('placement').selectOption(value);
  }

  async setOs(value) {
    await this.id('os').selectOption(value);
  }

  async setBackend(value) {
    await this.id('backend').selectOption(value);
  }

  async setEngine(value) {
    await this.id('engine').selectOption(value);
  }

  async setFlashAttention(value) {
    await this.id('flash-attention').selectOption(value);
  }

  /** Types `value` into the exact number box `testid` and commits it (change event). */
  async setExact(testid, value) {
    const box = this.id(testid);
    await box.fill(String(value));
    await box.press('Enter');
    await box.blur();
  }

  async setPromptTokens(n) {
    await this.setExact('prompt-tokens', n);
  }

  async setBatch(n) {
    await this.setExact('batch', n);
  }

  async promptTokens() {
    return this.id('prompt-tokens').inputValue();
  }

  /** Moves the range input `${testid}-slider` to position `pos` (0–1000) as a drag would. */
  async slide(testid, pos) {
    await this.id(`${testid}-slider`).evaluate((el, p) => {
      el.value = String(p);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
    }, pos);
  }

  async hardwareSummary() {
    return (await this.id('hardware-summary').textContent()).trim();
  }

  async modelSummary() {
    return (await this.id('model-summary').textContent()).trim();
  }

  async loadGguf(file) {
    await this.id('gguf-file').setInputFiles(file);
  }

  /** Data URLs of the charts that exist, keyed by test id (empty when none are built). */
  async charts() {
    return this.page.evaluate((ids) => {
      const out = {};
      for (const id of ids) {
        const el = document.querySelector(`[data-testid="${id}"]`);
        if (el) out[id] = el.tagName === 'CANVAS' ? el.toDataURL() : el.querySelector('canvas')?.toDataURL() ?? null;
      }
      return out;
    }, CHART_IDS);
  }
}
