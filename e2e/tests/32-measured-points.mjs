// The charts show the other sources' measured tests where they match the configuration:
// Llama 2 7B Q4_0 on Strix Halo (the 2026 campaign's ROCm and Vulkan medians, generation
// against bandwidth and prompt speed on its own machine); Llama 3.1 8B Q4_K_M, XiongjieDai's
// and this site's engine's generation tests; Llama 3.1 8B in Q8_0, which no source measured,
// none. The list under the charts names each point's source, device, GPUs, backend and
// engine.
import { check, waitFor } from '../lib/harness.mjs';

/**
 * The listed points, each read from its line ("source: device, N GPU(s), backend, engine,
 * flash attention on|off, test: speed token/s, median of N runs") with the chart it is on.
 */
async function rows(app) {
  const lines = await app.page.$$eval('[data-testid=measured-point]', (items) =>
    items.map((li) => [li.closest('ul').dataset.testid.replace('measured-', ''), li.textContent.trim()]),
  );
  const line = /^(\S+): (.+), (\d+) GPUs?, (\S+), (\S+), flash attention (\w+), (.+): ([\d.]+) token\/s(?:, median of (\d+) runs)?$/;
  return lines.map(([chart, text]) => {
    const m = text.match(line);
    check(m, `a point's line does not name its source, device, GPUs, backend, engine and test: ${text}`);
    const [, source, device, gpus, backend, engine, fa, test, speed, runs] = m;
    return { chart, source, device, gpus, backend, engine, 'flash-attention': fa, test, speed, runs: runs ?? '1' };
  });
}

export default {
  name: 'charts: other sources measured points match model and quantization',
  async run(t) {
    const app = await t.openCalculator();
    await app.pickHardware('395', 'Ryzen AI MAX+ 395');
    await app.pickModel('Llama 2', 'Llama 2 7B');
    await app.pickQuant('Q4_0');
    const summary = app.id('measured-summary');
    await summary.scrollIntoViewIfNeeded();
    await summary.click();
    const counts = app.id('measured-counts');
    const text = await waitFor(async () => {
      const s = (await counts.textContent()).trim();
      return s.includes('strix-halo-2026-05') && s;
    }, 'the Strix Halo points to be listed under the charts', { timeout: 10000 });
    const halo = await waitFor(async () => {
      const r = (await rows(app)).filter((p) => p.source === 'strix-halo-2026-05');
      return r.length > 0 && r;
    }, 'the list of points to open');
    const find = (backend, test) => halo.find((p) => p.backend === backend && p.test === test);
    const rocmPp = find('ROCm', 'pp512');
    const rocmTg = find('ROCm', 'tg128');
    const vulkanTg = find('Vulkan', 'tg128');
    const vulkanPp = find('Vulkan', 'pp512');
    check(rocmPp && rocmTg && vulkanTg && vulkanPp, `missing Strix Halo points: ${JSON.stringify(halo)}`);
    // The medians of bench_runs.tsv's rows: three ROCm environments; of the two Vulkan
    // drivers RADV's run alone (AMDVLK's are left out, as in validation: a median of the
    // two drivers' 347 and 1338 token/s would be a speed no one measured).
    const show = (p) => JSON.stringify(p);
    check(rocmPp.speed === '1533' && rocmPp.runs === '3', `ROCm pp512 is not the median of its 3 runs: ${show(rocmPp)}`);
    check(rocmTg.speed === '50.8', `ROCm tg128 is not the median 50.83: ${show(rocmTg)}`);
    check(vulkanTg.speed === '55.7' && vulkanTg.runs === '1', `Vulkan tg128 is not RADV's one run: ${show(vulkanTg)}`);
    check(vulkanPp.speed === '1338' && vulkanPp.runs === '1', `Vulkan pp512 is not RADV's one run: ${show(vulkanPp)}`);
    for (const p of [rocmPp, rocmTg, vulkanTg]) {
      const labelled = p.device.includes('Ryzen AI MAX+ 395') && p.gpus === '1' && p.engine === 'llama.cpp';
      check(labelled && p['flash-attention'] === 'on', `point not labelled: ${show(p)}`);
    }
    check(rocmPp.chart === 'prompt' && rocmTg.chart === 'generation', `charts of the points: ${rocmPp.chart}, ${rocmTg.chart}`);
    await t.screenshot(app.page, 'measured-points');

    // Llama 3.1 8B Q4_K_M: XiongjieDai's cards, some of them several, and this site's
    // engine, against bandwidth on any machine (here none on the prompt chart).
    await app.pickModel('Llama 3.1 8B', 'Llama 3.1 8B');
    await app.pickQuant('Q4_K_M');
    await waitFor(async () => {
      const s = await counts.textContent();
      return s.includes('xiongjiedai-2024-05') && s.includes('roofline-webgpu-2026-11');
    }, 'the XiongjieDai and WebGPU points for Llama 3.1 8B Q4_K_M');
    const xd = (await rows(app)).filter((p) => p.source === 'xiongjiedai-2024-05');
    check(xd.some((p) => p.gpus === '4' && p.backend === 'CUDA'), `no 4-GPU CUDA point: ${JSON.stringify(xd.slice(0, 3))}`);
    check(xd.every((p) => p.chart === 'generation'), 'a prompt point from another machine');

    // A quantization no source measured for this model (LocalScore ran Q4_K_M only):
    // nothing listed.
    await app.pickQuant('Q8_0');
    await waitFor(
      async () => (await counts.textContent()).includes('No measured points'),
      'the list to say there are no measured points for Q8_0',
    );
    check((await rows(app)).length === 0, 'measured points listed for Llama 3.1 8B Q8_0');
    t.note(`${text}; ${halo.length} Strix Halo points; ${xd.length} XiongjieDai points for Llama 3.1 8B Q4_K_M; none for Q8_0`);
  },
};
