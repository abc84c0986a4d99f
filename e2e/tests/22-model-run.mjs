// "Run a real model" with the Gemma 3 270M Q4_K_M file served by this site: it loads by
// byte ranges with progress, and its greedy tokens for a non-ASCII and an ASCII prompt are
// the ones the native CLI and llama.cpp (run in f32) produce, token id for token id.
import fs from 'node:fs';
import path from 'node:path';
import { check, same } from '../lib/harness.mjs';
import { MODEL_PATH } from '../lib/server.mjs';
import { DevicePage } from '../pages/DevicePage.mjs';

const FIXTURE = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '../../reference/tests/fixtures/llama_cpp/gemma-3-270m-q4_k_m.f32.json',
);
const TOKENS = 8;

export default {
  name: 'model: Gemma 3 270M tokens equal llama.cpp',
  viewports: ['desktop'],
  timeoutMs: 600000,
  async run(t) {
    check(process.env.ROOFLINE_GEMMA_GGUF, 'set ROOFLINE_GEMMA_GGUF to the test model (scripts/fetch-test-model.sh prints its path)');
    const fixture = JSON.parse(fs.readFileSync(FIXTURE, 'utf8'));
    const app = new DevicePage(await t.newPage(), t.baseUrl);
    await app.openDevice();
    await app.waitAdapter();
    const t0 = Date.now();
    const loaded = await app.loadModelUrl(MODEL_PATH, 300000);
    check(loaded === 'ready', `the model did not load: ${loaded}`);
    const loadS = (Date.now() - t0) / 1000;
    const summary = await app.id('model-summary').textContent();
    check(/gemma3, 18 layers/.test(summary), `summary: ${summary}`);
    const progress = await app.id('model-progress-text').textContent();
    check(/18\/18 layers/.test(progress), `progress did not reach every layer: ${progress}`);
    for (const prompt of ['Café crème, naïve façade — 東京 🚀', 'The capital of France is']) {
      const want = fixture.prompts.find((p) => p.prompt === prompt);
      const run = await app.generate(prompt, TOKENS, 300000);
      check(!run.error, `generation failed: ${run.error}`);
      same(run.prompt, want.prompt_tokens, `prompt token ids of ${JSON.stringify(prompt)}`);
      same(run.tokens, want.tokens.slice(0, TOKENS), `generated token ids after ${JSON.stringify(prompt)}`);
      check(run.output.startsWith(prompt), `output does not start with the prompt: ${run.output}`);
      t.report(`model (SwiftShader, software): ${JSON.stringify(prompt)} → ${JSON.stringify(run.output.slice(prompt.length))}; ${run.stats}`);
    }
    t.report(`model: Gemma 3 270M loaded by range requests in ${loadS.toFixed(1)} s; ${progress.trim()}`);
    await t.screenshot(app.page, 'model-run');
  },
};
