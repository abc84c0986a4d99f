// GGUF files for the model-run tests, written by fixtures/make-gguf.mjs into a temporary
// folder: the valid tiny model (zeroed weights) and broken variants.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const FIXTURE = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'make-gguf.mjs');

/** Writes the files; `variants` maps a name to make-gguf flags. Returns paths and the folder. */
export function makeGgufFiles(variants) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roofline-model-'));
  const files = { dir };
  for (const [name, flags] of Object.entries(variants)) {
    files[name] = path.join(dir, `${name}.gguf`);
    execFileSync(process.execPath, [FIXTURE, files[name], ...flags], { stdio: 'pipe' });
  }
  return files;
}

export function removeGgufFiles(files) {
  fs.rmSync(files.dir, { recursive: true, force: true });
}
