#!/usr/bin/env node
// Runs every test in tests/ at the desktop and phone viewports against dist/ served on
// 127.0.0.1, one fresh browser context per test and viewport, and prints one line each.
//
//   node run.mjs [name-filter ...] [--viewport=desktop|phone] [--jobs=N] [--dist=DIR]
import fs from 'node:fs';
import path from 'node:path';
import { serve } from './lib/server.mjs';
import { snapshotDist } from './lib/snapshot.mjs';
import { launch, VIEWPORTS } from './lib/browser.mjs';
import { CheckError, TestRun, SCREENSHOT_DIR } from './lib/harness.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);
const args = process.argv.slice(2);
const opt = (name, fallback) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const filters = args.filter((a) => !a.startsWith('--'));
const jobs = Math.max(1, Number(opt('jobs', 2)));
const onlyViewport = opt('viewport', null);
const dist = path.resolve(here, opt('dist', '../dist'));

if (!fs.existsSync(path.join(dist, 'index.html'))) {
  console.error(`no site at ${dist}: build it first with ./scripts/build-site.sh`);
  process.exit(2);
}

const testDir = path.join(here, 'tests');
const tests = [];
for (const file of fs.readdirSync(testDir).filter((f) => f.endsWith('.mjs')).sort()) {
  const mod = (await import(path.join(testDir, file))).default;
  if (filters.length && !filters.some((f) => file.includes(f) || mod.name.includes(f))) continue;
  tests.push({ file, ...mod });
}

const jobsList = [];
for (const test of tests) {
  for (const viewport of test.viewports ?? Object.keys(VIEWPORTS)) {
    if (onlyViewport && viewport !== onlyViewport) continue;
    jobsList.push({ test, viewport });
  }
}

const snapshot = await snapshotDist(dist);
const server = await serve(snapshot.dir);
const browser = await launch();
const started = Date.now();
const screenshots = [];
const results = [];
const reports = [];
console.log(`roofline e2e: ${dist} (copied to ${snapshot.dir}) at ${server.url}, Chromium ${browser.version()}, ${jobsList.length} runs, ${jobs} at a time`);

async function runOne({ test, viewport }) {
  const t = new TestRun({ browser, baseUrl: server.url, viewport, screenshots, reports });
  const t0 = Date.now();
  let error = null;
  try {
    await withTimeout(test.run(t), test.timeoutMs ?? 90000, `${test.name} took too long`);
  } catch (err) {
    error = err;
  }
  const problems = await t.finish().catch((err) => [`closing the test: ${err.message}`]);
  const thrown = error instanceof CheckError ? error.message : firstLines(error?.stack ?? String(error), 4);
  const failures = [...(error ? [thrown] : []), ...problems];
  const result = { name: test.name, viewport, ok: failures.length === 0, ms: Date.now() - t0, failures, notes: t.notes };
  results.push(result);
  printResult(result);
}

function printResult(r) {
  const secs = (r.ms / 1000).toFixed(1).padStart(5);
  console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.viewport.padEnd(7)}  ${r.name.padEnd(44)} ${secs} s`);
  for (const n of r.notes) console.log(`        ${n.split('\n').join('\n        ')}`);
  for (const f of r.failures) console.log(`        ✗ ${firstLines(f, 8).split('\n').join('\n          ')}`);
}

function firstLines(text, n) {
  return String(text).split('\n').slice(0, n).join('\n');
}

function withTimeout(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, fail) => {
    timer = setTimeout(() => fail(new Error(`${message} (over ${ms / 1000} s)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const parallel = jobsList.filter((j) => !j.test.serial);
const serial = jobsList.filter((j) => j.test.serial);
let next = 0;
await Promise.all(
  Array.from({ length: Math.min(jobs, parallel.length) }, async () => {
    while (next < parallel.length) await runOne(parallel[next++]);
  }),
);
for (const j of serial) await runOne(j);

await browser.close();
await server.close();
snapshot.remove();

const failed = results.filter((r) => !r.ok);
if (reports.length) console.log(reports.join('\n'));
if (screenshots.length) {
  console.log(`screenshots (${SCREENSHOT_DIR}):`);
  for (const s of screenshots.sort()) console.log(`  ${s}`);
}
console.log(`${results.length - failed.length} passed, ${failed.length} failed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
for (const r of failed) console.log(`  failed: ${r.name} [${r.viewport}]`);
process.exit(failed.length || results.length === 0 ? 1 : 0);
