// What a test receives: fresh guarded browser contexts at its viewport, page objects,
// notes for the report, screenshots, and small waiting and assertion helpers.
import fs from 'node:fs';
import path from 'node:path';
import { VIEWPORTS } from './browser.mjs';
import { Guard } from './guard.mjs';
import { CalculatorPage } from '../pages/CalculatorPage.mjs';
import { ComparePage } from '../pages/ComparePage.mjs';

export const SCREENSHOT_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'artifacts', 'screenshots');

export class TestRun {
  constructor({ browser, baseUrl, viewport, screenshots, reports }) {
    this.browser = browser;
    this.baseUrl = baseUrl;
    this.origin = new URL(baseUrl).origin;
    this.viewport = viewport;
    this.guard = new Guard(this.origin);
    this.contexts = [];
    this.notes = [];
    this.screenshots = screenshots;
    this.reports = reports;
  }

  get isPhone() {
    return this.viewport === 'phone';
  }

  get width() {
    return VIEWPORTS[this.viewport].viewport.width;
  }

  note(message) {
    this.notes.push(message);
  }

  /** A line for the summary printed after all tests (and under the test's own line). */
  report(line) {
    this.notes.push(line);
    this.reports.push(line);
  }

  /** Records a failure and lets the test go on to check the rest. */
  fail(message) {
    this.guard.problems.push(message);
  }

  async newContext(options = {}) {
    const context = await this.browser.newContext({ ...VIEWPORTS[this.viewport], ...options });
    this.guard.watchContext(context);
    this.contexts.push(context);
    return context;
  }

  async newPage(context) {
    const ctx = context ?? (await this.newContext());
    const page = await ctx.newPage();
    this.guard.watchPage(page);
    return page;
  }

  /** Opens the site with `fragment` (e.g. '#v=1&pp=5') in a fresh context unless one is given. */
  async openCalculator(fragment = '', { context } = {}) {
    const app = new CalculatorPage(await this.newPage(context), this.baseUrl);
    await app.open(fragment);
    return app;
  }

  async openCompare(fragment = '', { context } = {}) {
    const app = new ComparePage(await this.newPage(context), this.baseUrl);
    await app.open(fragment);
    return app;
  }

  async screenshot(page, name) {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const file = path.join(SCREENSHOT_DIR, `${name}-${this.viewport}.png`);
    await page.screenshot({ path: file, fullPage: true });
    this.screenshots.push(file);
    return file;
  }

  async finish() {
    await this.guard.checkPanics();
    for (const c of this.contexts) await c.close().catch(() => {});
    return this.guard.problems;
  }
}

/** Polls `fn` until it returns a truthy value; throws with `what` after `timeout` ms. */
export async function waitFor(fn, what, { timeout = 5000, interval = 25 } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new CheckError(`timed out after ${timeout} ms waiting for ${what}${last instanceof Error ? ` (${last.message})` : ''}`);
    await new Promise((ok) => setTimeout(ok, interval));
  }
}

export const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** A failed expectation: reported by its message alone, without a stack. */
export class CheckError extends Error {}

export function check(condition, message) {
  if (!condition) throw new CheckError(message);
}

export function same(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new CheckError(`${what}: expected ${e}, got ${a}`);
}

/** A figure text such as "63.7 token/s" looks like a real rate. */
export function plausibleRate(text, what) {
  check(/^\d[\d.]* token\/s$/.test(text ?? ''), `${what} is not a rate: ${JSON.stringify(text)}`);
  const v = parseFloat(text);
  check(v > 0 && v < 1e7, `${what} is implausible: ${text}`);
}

/** A duration text such as "312 ms" or "1.5 s". */
export function plausibleDuration(text, what) {
  check(/^\d[\d.]* (ms|s|min|h)$/.test(text ?? ''), `${what} is not a duration: ${JSON.stringify(text)}`);
}
