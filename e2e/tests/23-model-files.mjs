// Broken and oversized model files get a clear message before any weight is read, and
// the page goes on: a wrong magic, a header cut short, tensor data cut short, a header
// claiming 2^40 tensors, and a
// header whose logits would exceed the adapter's storage binding. Then a valid (tiny,
// zero-weight) model loads and generates.
import { check } from '../lib/harness.mjs';
import { makeGgufFiles, removeGgufFiles } from '../lib/model-files.mjs';
import { DevicePage } from '../pages/DevicePage.mjs';

export default {
  name: 'model: broken and oversized files refused',
  timeoutMs: 240000,
  async run(t) {
    const files = makeGgufFiles({
      tiny: [],
      badMagic: ['--bad-magic'],
      truncated: ['--truncated'],
      shortData: ['--short-data'],
      huge: ['--huge-vocab'],
      absurd: ['--absurd-count'],
    });
    try {
      const app = new DevicePage(await t.newPage(), t.baseUrl);
      await app.openDevice();
      await app.waitAdapter();
      const cases = [
        [files.badMagic, /not a usable GGUF file: not a GGUF file/],
        [files.truncated, /not a usable GGUF file.*(truncated|ends|end)/i],
        [files.shortData, /ended early/],
        [files.absurd, /tensor count at offset 8 is 1099511627776, more than the limit/],
        [files.huge, /cannot run here: the logits would take \d+(\.\d+)? MiB, more than this adapter's largest storage binding/],
      ];
      for (const [file, pattern] of cases) {
        const outcome = await app.loadModelFile(file);
        check(pattern.test(outcome), `${file}: ${outcome}`);
        t.note(outcome.slice(0, 110));
      }
      await t.screenshot(app.page, 'model-refused');
      // A bad address on this site says what went wrong (the browser logs the 404 itself).
      t.guard.expectConsoleError(/status of 404 \(Not Found\)/);
      const missing = await app.loadModelUrl('/no-such-model.gguf');
      check(/not found/.test(missing), `missing URL: ${missing}`);
      // The page still works: the valid file loads and generates.
      const loaded = await app.loadModelFile(files.tiny);
      check(loaded === 'ready', `the tiny model did not load: ${loaded}`);
      const summary = await app.id('model-summary').textContent();
      check(/llama, 4 layers, hidden 256, vocabulary 1000/.test(summary), `summary: ${summary}`);
      const run = await app.generate('tok5 tok6', 4);
      check(!run.error && run.tokens.length === 4, `tiny generation: ${JSON.stringify(run)}`);
      check(run.prompt[0] === 1, `no BOS first: ${run.prompt}`);
    } finally {
      removeGgufFiles(files);
    }
  },
};
