// Checks that hold on every page of every test: no console error, no uncaught exception,
// no request leaving the server's origin (data: and blob: are fine), no panic banner.

const LOCAL_SCHEMES = new Set(['data:', 'blob:']);

export class Guard {
  constructor(origin) {
    this.origin = origin;
    this.problems = [];
    this.requests = [];
    this.pages = new Set();
    this.expected = [];
  }

  /** Accepts console errors matching `pattern` (the browser's own log of a failure a test
   * provokes on purpose, such as a 404 for a missing file); every other error still fails. */
  expectConsoleError(pattern) {
    this.expected.push(pattern);
  }

  watchContext(context) {
    context.on('request', (req) => this.checkRequest(req.url()));
    context.on('page', (page) => this.watchPage(page));
  }

  checkRequest(url) {
    this.requests.push(url);
    let parsed;
    try {
      parsed = new URL(url);
    } catch {
      this.problems.push(`request to an unparsable URL: ${url.slice(0, 200)}`);
      return;
    }
    if (LOCAL_SCHEMES.has(parsed.protocol)) return;
    if (parsed.origin !== this.origin) this.problems.push(`request left the origin: ${url.slice(0, 200)}`);
  }

  watchPage(page) {
    if (this.pages.has(page)) return;
    this.pages.add(page);
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !this.expected.some((p) => p.test(msg.text()))) this.problems.push(`console error on ${shortUrl(page.url())}: ${msg.text().slice(0, 500)}`);
    });
    page.on('pageerror', (err) => this.problems.push(`pageerror on ${shortUrl(page.url())}: ${String(err?.stack ?? err).slice(0, 500)}`));
  }

  async checkPanics() {
    for (const page of this.pages) {
      if (page.isClosed()) continue;
      const text = await page
        .locator('[data-testid=panic]')
        .allTextContents()
        .catch(() => []);
      for (const t of text) this.problems.push(`panic banner: ${t.slice(0, 500)}`);
    }
  }
}

function shortUrl(url) {
  return url.length > 120 ? `${url.slice(0, 117)}...` : url;
}
