// "Running costs" on the calculator: power, energy per token and electricity per million
// tokens from the catalog's parts; the electricity price, an API's price (break-even), and
// the user's own price and power, all through the share link; a custom machine without
// parts asks for its power.
import { check, waitFor } from '../lib/harness.mjs';

const text = async (app, id) => (await app.id(id).textContent()).trim();

export default {
  name: 'running costs: energy per token, electricity, break-even, own price and power',
  async run(t) {
    const app = await t.openCalculator('#v=1&hw=nvidia-geforce-rtx-4090&m=qwen2-5-14b&q=Q4_K_M');
    await app.id('energy').scrollIntoViewIfNeeded();
    const power = await text(app, 'energy-power');
    check(/^\d+(\.\d+)? W$/.test(power) && parseFloat(power) > 300, `power: ${power}`);
    const perToken = await text(app, 'energy-generated');
    const tg = parseFloat(await text(app, 'tg-value'));
    check(Math.abs(parseFloat(perToken) - parseFloat(power) / tg) / parseFloat(perToken) < 0.02, `${perToken} is not ${power} ÷ ${tg} token/s`);
    const million = await text(app, 'energy-million');
    check(/kWh, \$\d/.test(million), `per million: ${million}`);
    check((await text(app, 'energy-parts')).includes('RTX 4090'), 'the parts do not name the card');

    await app.setExact('electricity-price', '0.5');
    await waitFor(async () => (await text(app, 'energy-million')) !== million, 'electricity cost to follow the price');
    const kwh = (s) => parseFloat(s);
    const cost = (s) => parseFloat(s.split('$')[1].replace(/,/g, ''));
    const after = await text(app, 'energy-million');
    check(kwh(after) === kwh(million), 'kWh changed with the electricity price');
    check(Math.abs(cost(after) / cost(million) - 2) < 0.05, `doubling the price gave ${million} → ${after}`);
    check((await text(app, 'energy-break-even')).startsWith('give'), 'break-even without an API price');
    await app.setExact('api-price', '10');
    await waitFor(async () => /after [\d.]+ million/.test(await text(app, 'energy-break-even')), 'a break-even point');
    const link = await waitFor(async () => {
      const l = await app.shareLink();
      return l.includes('el=0.5') && l.includes('api=10') && l;
    }, 'the link to carry the prices');
    const again = await t.openCalculator(link.slice(link.indexOf('#')));
    check((await text(again, 'energy-break-even')) === (await text(app, 'energy-break-even')), 'the link did not restore the break-even');

    // A custom machine: no parts, so no power until the user gives it.
    const machine = await t.openCalculator('#v=1&hw=amd-ryzen-9-9950x');
    await machine.id('hardware-edit').locator('summary').click();
    await machine.setExact('cpu-cores', '12');
    await waitFor(async () => (await text(machine, 'energy-power')) === '—', 'a custom machine to have no power');
    check((await text(machine, 'energy-parts')).includes('custom machine'), 'no word on the custom machine');
    await machine.setExact('machine-power', '150');
    await waitFor(async () => (await text(machine, 'energy-power')) === '150 W', 'the user power to be used');
    t.note(`RTX 4090, Qwen 2.5 14B Q4_K_M: ${power}, ${perToken} per token, ${million} per million at $0.25; at $0.50 ${after}`);
  },
};
