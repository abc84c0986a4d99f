// Reading a local GGUF header: a valid file becomes the model; a truncated file or one
// with a bad magic gives a clear error and keeps the model that was there.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { check, same, waitFor } from '../lib/harness.mjs';

const FIXTURE = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'make-gguf.mjs');

function makeFiles() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roofline-gguf-'));
  const make = (name, ...flags) => {
    const file = path.join(dir, name);
    execFileSync(process.execPath, [FIXTURE, file, ...flags], { stdio: 'pipe' });
    return file;
  };
  return { dir, ok: make('tiny.gguf'), truncated: make('truncated.gguf', '--truncated'), badMagic: make('bad-magic.gguf', '--bad-magic') };
}

async function expectError(app, file, pattern, kept) {
  await app.loadGguf(file);
  const error = app.id('gguf-error');
  await error.waitFor({ timeout: 5000 });
  const message = (await error.textContent()).trim();
  check(message.startsWith(path.basename(file)), `error does not name the file: ${message}`);
  check(pattern.test(message), `error is not clear (${pattern}): ${message}`);
  check((await app.id('gguf-ok').count()) === 0, 'gguf-ok still shown after an error');
  same(await app.modelSummary(), kept.summary, `model summary after ${path.basename(file)}`);
  same(await app.figures(), kept.figures, `figures after ${path.basename(file)}`);
  return message;
}

export default {
  name: 'gguf: tiny file read, broken files refused',
  async run(t) {
    const files = makeFiles();
    try {
      const app = await t.openCalculator();
      const original = { summary: await app.modelSummary(), figures: await app.figures() };
      const m1 = await expectError(app, files.truncated, /ends before its header|truncat|short/i, original);
      const m2 = await expectError(app, files.badMagic, /magic|not a gguf|GGUF/i, original);

      await app.loadGguf(files.ok);
      const summary = await waitFor(async () => {
        const text = await app.modelSummary();
        return text.includes('Tiny Test Llama') && text;
      }, "the model summary to name the file's model, Tiny Test Llama");
      check(/\b4 layers\b/.test(summary), `model summary does not give 4 layers: ${summary}`);
      let ok = '(none)';
      try {
        await app.id('gguf-ok').waitFor({ timeout: 3000 });
        ok = (await app.id('gguf-ok').textContent()).trim();
        check(ok.includes('tiny.gguf'), `gguf-ok does not name the file: ${ok}`);
      } catch (err) {
        const status = (await app.id('gguf-status').innerText()).trim();
        t.fail(`gguf-ok not shown after reading tiny.gguf although the model was applied (gguf-status: "${status}"): ${err.message.split('\n')[0]}`);
      }
      const figures = await waitFor(async () => {
        const f = await app.figures();
        return f.tg !== original.figures.tg && f;
      }, 'figures to change with the GGUF model');
      const tiny = { summary, figures };

      const m3 = await expectError(app, files.truncated, /ends before its header|truncat|short/i, tiny);
      t.note(`truncated: ${m1}\nbad magic: ${m2}\nvalid: ${ok}; TG ${original.figures.tg} → ${figures.tg}\ntruncated after valid: ${m3.slice(0, 80)}`);
    } finally {
      fs.rmSync(files.dir, { recursive: true, force: true });
    }
  },
};
