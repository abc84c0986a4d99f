// Share link round trip: a non-default configuration opened from its link in a new
// browser context shows the same controls and the same figures, on both pages.
import { check, same, waitFor } from '../lib/harness.mjs';
import { ComparePage } from '../pages/ComparePage.mjs';

async function snapshot(app) {
  const out = { controls: await app.controls(), summaries: [] };
  if ((await app.currentPage()) === 'calculator') {
    out.figures = await app.figures();
    out.summaries = [await app.id('hardware-summary').textContent(), await app.id('model-summary').textContent()];
  } else {
    out.figures = [];
    for (let n = 1; n <= (await app.slotCount()); n++) out.figures.push(await app.slot(n).figures());
  }
  return out;
}

export default {
  name: 'share link: round trip in a new context',
  async run(t) {
    const context = await t.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.origin });
    const app = await t.openCalculator('', { context });
    await app.pickHardware('4090', 'GeForce RTX 4090 (GPU)');
    await app.pickModel('qwen2.5 14b', 'Qwen2.5 14B Instruct');
    await app.pickQuant('Q5_K_M');
    await app.setPromptTokens(3000);
    await app.setBatch(4);
    await app.setPlacement('layers');
    await app.id('gpu-layers').waitFor();
    await app.setExact('gpu-layers', 30);
    await waitFor(async () => /pl=30/.test(await app.shareLink()), 'the link to carry 30 GPU layers');
    await app.setOs('windows');
    await waitFor(async () => /os=windows/.test(await app.shareLink()), 'the link to carry the operating system');
    const cudaFigures = await app.figures();
    await app.setBackend('vulkan');
    await waitFor(async () => /be=vulkan/.test(await app.shareLink()), 'the link to carry the GPU backend');
    await waitFor(async () => JSON.stringify(await app.figures()) !== JSON.stringify(cudaFigures), 'the Vulkan figures to differ from CUDA\'s');
    const llamaCppFigures = await app.figures();
    await app.setEngine('localscore');
    await waitFor(async () => /en=localscore/.test(await app.shareLink()), 'the link to carry the engine');
    await waitFor(async () => JSON.stringify(await app.figures()) !== JSON.stringify(llamaCppFigures), 'LocalScore\'s figures to differ from llama.cpp\'s');
    await app.setFlashAttention('on');
    await waitFor(async () => /fa=on/.test(await app.shareLink()), 'the link to carry flash attention');
    await app.gotoCompare();
    const compare = new ComparePage(app.page, t.baseUrl);
    await compare.addCurrent();
    await compare.slot(1).pickHardware('M4 Max', 'M4 Max');
    await compare.slot(1).pickQuant('Q8_0');
    await app.gotoCalculator();
    const calcState = await snapshot(app);
    await app.gotoCompare();
    const compareState = await snapshot(compare);

    const link = await app.shareLink();
    check(link.startsWith(t.baseUrl + '#v=1'), `link does not start with the site's address: ${link}`);
    const fragment = link.slice(link.indexOf('#'));
    t.note(`share link: ${fragment.length} characters after the address (${link.length} in all): ${fragment}`);
    check(link.length < 300, `link is ${link.length} characters, over 300`);
    same(`${await app.page.evaluate(() => location.hash)}`, fragment, 'address bar fragment vs share-link');

    const label = async () => (await app.id('copy-link').textContent()).trim();
    const before = await label();
    await app.copyLink();
    await waitFor(async () => (await label()) !== before, 'the copy button to confirm');
    const clip = await app.page.evaluate(() => navigator.clipboard.readText()).catch((e) => `unreadable: ${e.message}`);
    if (clip.startsWith('unreadable')) t.note(`clipboard ${clip}; button changed "${before}" → "${await label()}"`);
    else same(clip, link, 'clipboard contents');

    const other = await t.openCompare(fragment);
    same(await snapshot(other), compareState, 'compare page opened from the link');
    await other.gotoCalculator();
    same(await snapshot(other), calcState, 'calculator opened from the link');
    t.note(`matched ${calcState.controls.length} calculator controls, ${compareState.controls.length} compare controls and all figures`);
    check((await other.id('link-notice').count()) === 0, `the link produced notices: ${await other.noticeItems()}`);
  },
};
