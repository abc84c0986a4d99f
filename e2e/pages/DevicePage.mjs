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
}
