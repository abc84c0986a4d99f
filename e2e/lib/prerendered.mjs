// The prerendered first view as index.html serves it (before any script runs), read in the
// page with DOMParser, and the same readings of the live app: what each [data-testid] in
// the calculator shows (text, an input's value, a select's choice, a checkbox).

/** Runs in the page: `root`'s readings by test id (the shell's when `fromHtml`). */
export async function readings(fromHtml) {
  let root = document.querySelector('#app');
  if (fromHtml) {
    const html = await (await fetch(location.href.split('#')[0], { cache: 'no-store' })).text();
    root = new DOMParser().parseFromString(html, 'text/html').querySelector('#app[data-prerendered]');
    if (!root) return null;
  }
  const page = root.querySelector('[data-testid=page-calculator]');
  const out = {};
  for (const el of page?.querySelectorAll('[data-testid]') ?? []) {
    const id = el.getAttribute('data-testid');
    let value;
    // Form controls by their properties (in the parsed document too: a value as the
    // browser shows it, e.g. a slider's rounded to its step).
    if (el.tagName === 'SELECT') value = `select:${el.value}`;
    else if (el.tagName === 'INPUT' && el.type === 'checkbox') value = `checked:${el.checked}`;
    else if (el.tagName === 'INPUT') value = `value:${el.value}`;
    // A disclosure by its summary (its fields may come after the first paint).
    else if (el.tagName === 'DETAILS') value = el.querySelector('summary')?.textContent.trim() ?? '';
    // Text of the innermost ones (a section's text is its controls').
    else if (!el.querySelector('[data-testid]')) value = el.textContent.replace(/\s+/g, ' ').trim();
    else continue;
    // Repeated ids (rows of a table) are read in order.
    out[id] = id in out ? `${out[id]} | ${value}` : value;
  }
  return out;
}

/** Runs before the page's scripts: on every frame, which figures are visible, their text,
 *  and whether the prerendered view is still there (`window.__rooflineFrames`). */
export function watchFrames() {
  const ids = ['pp-value', 'ttft-value', 'tg-value', 'summary-tg', 'summary-ttft', 'localscore-value'];
  window.__rooflineFrames = [];
  const frame = () => {
    const shell = !!document.querySelector('#app[data-prerendered]');
    const shown = {};
    for (const id of ids) {
      const el = document.querySelector(`[data-testid=${id}]`);
      if (el && el.checkVisibility({ visibilityProperty: true, opacityProperty: true })) shown[id] = el.textContent.trim();
    }
    window.__rooflineFrames.push({ shell, shown });
    if (window.__rooflineFrames.length < 600) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}
