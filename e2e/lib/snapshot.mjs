// Copies dist/ to a temporary folder so that a build running at the same time cannot
// change the site under a test run; retries until every file index.html names is present.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function referenced(html) {
  return [...html.matchAll(/(?:\b(?:href|src)\s*=\s*|module_or_path:\s*)["']\/?([^"'#?]+)["']/g)]
    .map((m) => m[1])
    .filter((f) => !/^[a-z]+:/i.test(f));
}

export async function snapshotDist(dist, { timeoutMs = 120000 } = {}) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roofline-dist-'));
    let missing = [];
    try {
      fs.cpSync(dist, dir, { recursive: true });
      const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
      missing = referenced(html).filter((f) => !fs.existsSync(path.join(dir, f)));
    } catch (err) {
      missing = [err.message];
    }
    if (missing.length === 0) {
      // The same site under a subfolder, as a static host may serve it (`sub/`).
      const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'roofline-sub-'));
      fs.cpSync(dir, copy, { recursive: true });
      fs.renameSync(copy, path.join(dir, 'sub'));
      return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
    }
    fs.rmSync(dir, { recursive: true, force: true });
    if (Date.now() > end) throw new Error(`dist/ stayed incomplete (a build in progress?): missing ${missing.join(', ')}`);
    console.log(`dist/ is incomplete (missing ${missing.join(', ')}); waiting for the build to finish`);
    await new Promise((ok) => setTimeout(ok, 3000));
  }
}
