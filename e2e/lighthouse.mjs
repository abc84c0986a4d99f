// Lighthouse (npm lighthouse 12 on Debian's Chromium) against the built site in dist/,
// served on 127.0.0.1: the mobile and desktop presets, RUNS times each (default 3), and the
// median of performance, accessibility, largest contentful paint, total blocking time and
// cumulative layout shift. A benchmark: it prints figures and fails only when Lighthouse
// cannot run, never on a noisy number.
//
//   node lighthouse.mjs [RUNS]            (from e2e/, after scripts/build-site.sh)
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { CHROMIUM_PATH } from './lib/browser.mjs';
import { serve } from './lib/server.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);
const dist = path.resolve(here, '..', 'dist');
const runs = Number(process.argv[2] ?? 3);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('usage: node lighthouse.mjs [RUNS]   (a whole number of runs per preset)');
  process.exit(2);
}
const cli = path.join(here, 'node_modules', 'lighthouse', 'cli', 'index.js');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

const server = await serve(dist);
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'roofline-lighthouse-'));
try {
  for (const preset of ['mobile', 'desktop']) {
    const results = [];
    for (let i = 0; i < runs; i++) {
      const file = path.join(out, `${preset}-${i}.json`);
      const args = [cli, server.url, '--quiet', '--only-categories=performance,accessibility', '--output=json',
        `--output-path=${file}`, '--chrome-flags=--headless=new --no-sandbox'];
      if (preset === 'desktop') args.push('--preset=desktop');
      // Asynchronously: the server answering Lighthouse's requests runs in this process.
      await promisify(execFile)(process.execPath, args, { env: { ...process.env, CHROME_PATH: CHROMIUM_PATH } });
      const r = JSON.parse(fs.readFileSync(file, 'utf8'));
      const a = r.audits;
      results.push({
        performance: r.categories.performance.score * 100,
        accessibility: r.categories.accessibility.score * 100,
        lcp: a['largest-contentful-paint'].numericValue,
        tbt: a['total-blocking-time'].numericValue,
        cls: a['cumulative-layout-shift'].numericValue,
      });
    }
    const m = (k) => median(results.map((r) => r[k]));
    console.log(
      `lighthouse ${preset} (median of ${runs}): performance ${m('performance').toFixed(0)}, ` +
        `accessibility ${m('accessibility').toFixed(0)}, LCP ${(m('lcp') / 1000).toFixed(2)} s, ` +
        `TBT ${m('tbt').toFixed(0)} ms, CLS ${m('cls').toFixed(3)}`,
    );
  }
} finally {
  await server.close();
  fs.rmSync(out, { recursive: true, force: true });
}
