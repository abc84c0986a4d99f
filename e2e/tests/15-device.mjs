// The device page on WebGPU (SwiftShader headless): the probes complete and pass their CPU
// checks, figures are positive, the page states their spec-sheet equivalents, and "Use
// these measurements" gives the calculator a calibrated machine that the share link carries.
import { check, plausibleRate } from '../lib/harness.mjs';
import { DevicePage } from '../pages/DevicePage.mjs';

export default {
  name: 'device: probes on WebGPU calibrate the calculator',
  timeoutMs: 240000,
  async run(t) {
    const app = new DevicePage(await t.newPage(), t.baseUrl);
    await app.openDevice('#v=1&m=qwen2-5-7b');
    await app.waitAdapter();
    check(await app.id('adapter').count(), `no adapter: ${await app.page.textContent('[data-testid=device-page]')}`);
    await app.chooseWorkingSet(16);
    const t0 = Date.now();
    await app.run();
    await app.id('probe-progress').waitFor();
    const outcome = await app.waitFinished();
    check(outcome === 'done', `the run stopped: ${outcome}`);
    const seconds = (Date.now() - t0) / 1000;
    const rows = await app.rows();
    const kinds = new Set(rows.map((r) => r.kind));
    for (const kind of ['Latency', 'Write', 'Read', 'Copy', 'FmaF32']) check(kinds.has(kind), `no ${kind} row in ${[...kinds]}`);
    check(rows.filter((r) => r.kind === 'Read').length >= 2, 'the read sweep has fewer than two sizes');
    const report = await app.report();
    for (const m of report.measurements) {
      check(m.stats.median > 0 && Number.isFinite(m.stats.median), `${m.kind} median ${m.stats.median}`);
      check(m.stats.samples >= 5, `${m.kind}: ${m.stats.samples} samples`);
    }
    const read = report.measurements.filter((m) => m.kind === 'read').pop();
    t.report(`device probes (SwiftShader, software): ${rows.length} figures in ${seconds.toFixed(1)} s; read ${read.stats.median.toFixed(2)} GB/s at ${read.working_set_bytes >> 20} MiB, timing ${read.timing}`);
    await t.screenshot(app.page, 'device-probes');

    // Against a catalog spec: SwiftShader matches no entry, so pick one.
    await app.id('device-entry').selectOption('nvidia-geforce-rtx-4070');
    const spec = await app.id('against-spec').textContent();
    check(/GB\/s read, [\d.]+ % of the 504 GB\/s spec/.test(spec), `no comparison with the spec: ${spec}`);
    t.note(spec);
    // What the calculator will use: the probed figures as spec-sheet figures, divided by
    // the share of a sheet the probes reach.
    const equivalent = await app.id('spec-equivalent').textContent();
    check(/spec-sheet figures.*: [\d.e+-]+ GB\/s and [\d.e+-]+ TFLOPS f32 \(measured ÷ [\d.]+ % and ÷ [\d.]+ %/.test(equivalent), `no spec-sheet equivalent: ${equivalent}`);
    t.note(equivalent);
    await app.id('device-entry').selectOption('');

    await app.id('use-measurements').click();
    await app.page.waitForFunction(() => document.querySelector('[data-testid=hardware-summary]')?.textContent.includes('calibrated'), null, { timeout: 15000 });
    const summary = await app.id('hardware-summary').textContent();
    check(summary.includes('(measured)'), `the machine is not marked as measured: ${summary}`);
    check(/the probes on .* measured .* GB\/s read .* used as .* spec-sheet figures/.test(summary), `the summary does not say what was measured and what it became: ${summary}`);
    plausibleRate(await app.id('tg-value').textContent(), 'generation on the calibrated machine');
    const link = await app.page.evaluate(() => location.hash);
    check(!link.includes('p=device'), `still on the device page: ${link}`);
    // However slow the adapter measured (SwiftShader can read under 1 GB/s), the link
    // carries the calibrated machine without a notice.
    const notices = await app.page.locator('[data-testid=link-notice-item]').allTextContents();
    check(notices.length === 0, `the calibrated link was not taken whole: ${notices.join('; ')}`);
    await t.screenshot(app.page, 'device-calibrated');

    // A colleague opening the link sees the same calibrated machine.
    const other = await t.openCalculator(link);
    const theirs = await other.id('hardware-summary').textContent();
    check(theirs === summary, `the shared link shows another machine:\n${theirs}\n${summary}`);
    check((await other.id('tg-value').textContent()) === (await app.id('tg-value').textContent()), 'the shared link gives another estimate');
  },
};
