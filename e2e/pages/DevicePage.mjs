// The "Test this device" page: WebGPU status, the probe run, results and calibration.
import { AppPage } from './AppPage.mjs';

export class DevicePage extends AppPage {
  /** Opens the device page with `fragment`'s state and waits for the module to mount. */
  async openDevice(fragment = '#v=1') {
    const sep = fragment.includes('&') || fragment.length > 1 ? '&' : '';
    await this.page.goto(`${this.baseUrl}${fragment}${sep}p=device`);
    await this.id('device-page').waitFor({ timeout: 30000 });
  }

  /** Waits until the adapter (or a reason there is none) is shown. */
  async waitAdapter() {
    await this.page.waitForSelector('[data-testid=adapter], [data-testid=no-adapter], [data-testid=no-webgpu]', { timeout: 30000 });
  }

  async chooseWorkingSet(mib) {
    await this.id('working-set').selectOption(String(mib));
  }

  async run() {
    await this.id('probe-run').click();
  }

  /** Waits for the run to finish or stop; returns 'done' or the error text. */
  async waitFinished(timeout = 150000) {
    await this.page.waitForSelector('[data-testid=use-measurements], [data-testid=probe-error]', { timeout });
    if (await this.id('probe-error').count()) return (await this.id('probe-error').textContent()).trim();
    return 'done';
  }

  /** Rows of the results table: kind and median text. */
  async rows() {
    return this.page.$$eval('[data-testid=probe-row]', (rows) =>
      rows.map((r) => ({ kind: r.dataset.kind, median: r.querySelector('[data-testid=probe-median]').textContent })),
    );
  }

  /** The report the page published for scripts, parsed. */
  async report() {
    return JSON.parse(await this.page.evaluate(() => window.rooflineProbeReport ?? 'null'));
  }

  // "Run a real model".

  /** Loads a model from an address on the site; returns 'ready' or the error text. */
  async loadModelUrl(url, timeout = 180000) {
    await this.id('model-url').fill(url);
    await this.id('model-load-url').click();
    return this.waitModelLoaded(timeout);
  }

  /** Loads a model from a local file; returns 'ready' or the error text. */
  async loadModelFile(file, timeout = 60000) {
    await this.id('model-file').setInputFiles(file);
    return this.waitModelLoaded(timeout);
  }

  async waitModelLoaded(timeout) {
    await this.page.waitForSelector('[data-testid=model-generate], [data-testid=model-error]', { timeout });
    if (await this.id('model-error').count()) return (await this.id('model-error').textContent()).trim();
    return 'ready';
  }

  /** Generates `count` tokens after `prompt`; waits until done or an error, and returns ids. */
  async generate(prompt, count, timeout = 240000) {
    await this.id('model-prompt').fill(prompt);
    await this.id('model-tokens').fill(String(count));
    await this.id('model-tokens').dispatchEvent('change');
    await this.id('model-generate').click();
    return this.waitGenerated(timeout);
  }

  async waitGenerated(timeout = 240000) {
    await this.page.waitForSelector('[data-testid=model-token-ids][data-done=true], [data-testid=model-error]', { state: 'attached', timeout });
    const text = async (id) => ((await this.id(id).count()) ? (await this.id(id).textContent()).trim() : '');
    const ids = async (id) => (await text(id)).split(/\s+/).filter(Boolean).map(Number);
    return {
      error: await text('model-error'),
      prompt: await ids('model-prompt-ids'),
      tokens: await ids('model-token-ids'),
      output: await text('model-output'),
      stats: await text('model-stats'),
    };
  }
}
