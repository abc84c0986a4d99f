// No horizontal scrolling on the calculator and compare pages, and (on the phone) every
// visible button, select and input is at least 40 px tall.
import { check } from '../lib/harness.mjs';

const MIN_TOUCH_PX = 40;

/**
 * Visible buttons, selects and inputs under `min` px tall (a checkbox counts its wrapping
 * label's height), and, separately, <summary> toggles under `min` px.
 */
function smallControls(min) {
  const out = [];
  const summaries = [];
  let checked = 0;
  for (const el of document.querySelectorAll('button, select, input, summary')) {
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    checked++;
    let height = rect.height;
    if (el.type === 'checkbox' || el.type === 'radio') height = Math.max(height, el.closest('label')?.getBoundingClientRect().height ?? 0);
    if (height < min) {
      const owner = el.closest('[data-testid]')?.getAttribute('data-testid') ?? 'page';
      const id = el.getAttribute('data-testid') ?? `${owner} > ${el.tagName.toLowerCase()}`;
      (el.tagName === 'SUMMARY' ? summaries : out).push(`${id} (${el.tagName.toLowerCase()}${el.type ? ` ${el.type}` : ''}, ${Math.round(height)} px)`);
    }
  }
  return { controls: out, summaries, checked };
}

/** scrollWidth, and visible elements sticking out to the right outside any scrolling box. */
function overflow(width) {
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  const wide = [...document.querySelectorAll('body *')]
    .filter((el) => el.checkVisibility() && el.getBoundingClientRect().right > width + 0.5 && !clipped(el))
    .map((el) => `${el.getAttribute('data-testid') ?? `${el.tagName.toLowerCase()}${el.className ? `.${el.className}` : ''}`} (right ${Math.round(el.getBoundingClientRect().right)} px)`);
  return { scroll: document.documentElement.scrollWidth, wide: wide.slice(0, 8) };
}

async function checkPage(t, app, what) {
  await app.page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
  await app.page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  const { scroll, wide } = await app.page.evaluate(overflow, t.width);
  if (scroll > t.width) t.fail(`${what}: scrollWidth ${scroll} > ${t.width}`);
  if (wide.length) t.fail(`${what}: elements reach past the ${t.width} px viewport: ${wide.join('; ')}`);
  if (!t.isPhone) return `${what}: scrollWidth ${scroll}`;
  const small = await app.page.evaluate(smallControls, MIN_TOUCH_PX);
  if (small.controls.length) t.fail(`${what}: controls under ${MIN_TOUCH_PX} px tall: ${small.controls.join('; ')}`);
  if (small.summaries.length) t.note(`${what}: disclosure toggles under ${MIN_TOUCH_PX} px tall (not buttons, so not failed): ${small.summaries.join('; ')}`);
  return `${what}: scrollWidth ${scroll}, ${small.checked} visible controls checked for touch size (details opened)`;
}

export default {
  name: 'layout: no horizontal scroll, touch-sized controls',
  async run(t) {
    const app = await t.openCalculator('#v=1&hw=amd-ryzen-9-9950x&hg=nvidia-geforce-rtx-4090&pl=16&sd=llama-3-2-1b~4~0.7&cold=3');
    check((await app.id('gpu-layers').count()) === 1, 'layer slider not shown for the layered placement');
    const calc = await checkPage(t, app, 'calculator');
    await app.gotoCompare();
    await app.id('compare-starter').click();
    await app.id('compare-slot-4').waitFor();
    const compare = await checkPage(t, app, 'compare');
    t.note(`${calc}; ${compare}${t.isPhone ? '' : ' (touch sizes are checked at the phone viewport)'}`);
  },
};
