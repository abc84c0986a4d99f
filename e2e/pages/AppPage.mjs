// The shell every page shares: navigation, share link, theme, link notices, headline
// figures, and a snapshot of every form control (what a share link must restore).

export class AppPage {
  constructor(page, baseUrl) {
    this.page = page;
    this.baseUrl = baseUrl;
  }

  id(testid) {
    return this.page.locator(`[data-testid="${testid}"]`);
  }

  /** Navigates to the site with `fragment` and waits until a page has rendered. */
  async open(fragment = '') {
    await this.page.goto(this.baseUrl + fragment);
    await this.waitReady();
  }

  async waitReady() {
    await this.page.waitForFunction(
      () => {
        if (document.querySelector('[data-testid=panic]')) return true;
        // The prerendered first view carries the same test ids: wait for the app's own.
        if (document.querySelector('#app[data-prerendered]')) return false;
        // And its deferred parts (the full lists, the charts) have come.
        if (!performance.getEntriesByName('roofline:painted').length) return false;
        if (document.querySelector('[data-testid=page-compare]')) return true;
        const tg = document.querySelector('[data-testid=tg-value]');
        return (tg && tg.textContent.trim() !== '') || document.querySelector('[data-testid=estimate-error]');
      },
      null,
      { timeout: 15000 },
    );
    const panic = await this.id('panic').count();
    if (panic) throw new Error(`panic banner after load: ${await this.id('panic').first().textContent()}`);
  }

  async currentPage() {
    if (await this.id('page-compare').count()) return 'compare';
    if (await this.id('page-calculator').count()) return 'calculator';
    return 'none';
  }

  async gotoCompare() {
    await this.id('nav-compare').click();
    await this.id('page-compare').waitFor();
  }

  async gotoCalculator() {
    await this.id('nav-calculator').click();
    await this.id('page-calculator').waitFor();
    await this.page.waitForFunction(() => document.querySelector('[data-testid=tg-value]')?.textContent.trim());
  }

  /** The headline figures' texts (calculator page). */
  async figures() {
    return this.page.evaluate(() => {
      const text = (id) => document.querySelector(`[data-testid="${id}-value"]`)?.textContent.trim() ?? null;
      return { pp: text('pp'), ttft: text('ttft'), tg: text('tg') };
    });
  }

  async shareLink() {
    return this.id('share-link').inputValue();
  }

  async copyLink() {
    await this.id('copy-link').click();
  }

  async theme() {
    return this.page.evaluate(() => document.documentElement.getAttribute('data-theme'));
  }

  async toggleTheme() {
    await this.id('theme-toggle').click();
  }

  async noticeItems() {
    return this.id('link-notice-item').allTextContents();
  }

  /**
   * Every select and input carrying a test id, in document order, as "testid=value"
   * (selects also with their option text); search boxes and file inputs are left out.
   */
  async controls() {
    return this.page.evaluate(() =>
      [...document.querySelectorAll('select[data-testid], input[data-testid]')]
        .filter((el) => !(el.type === 'search' || el.type === 'file'))
        .map((el) => {
          const id = el.getAttribute('data-testid');
          if (el.tagName === 'SELECT') return `${id}=${el.value} (${el.selectedOptions[0]?.textContent.trim() ?? ''})`;
          if (el.type === 'checkbox') return `${id}=${el.checked}`;
          return `${id}=${el.value}`;
        }),
    );
  }
}
