import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { type MqttClient, connectAsync } from 'mqtt';
import { type Browser, chromium } from 'playwright-core';
import { deviceTopic } from '#contracts';
import { ADMIN_KEY, ApiStack, call } from './support/api-stack.js';
import { type TestInflux, startTestInflux, waitFor } from './support/index.js';

/**
 * The dashboard in a real browser (Chromium, headless) against the real pipeline: a manager
 * connects with a key, a forced gate appears live, is acknowledged and resolved from the page,
 * and a comment holding markup is shown as text, never run; the criteria of its community are
 * listed and their evidence downloads as HTML and CSV.
 */
const C = 'db';
const YAML = `id: ${C}\nname: 看板社区\ncompounds:\n  - {id: c1, name: C}\ndevices:\n  - {id: g-01, type: access_gate, compound: c1}\n`;
const BASE = Date.now() - 5 * 60_000;

let influx: TestInflux;
let stack: ApiStack;
let browser: Browser;
let device: MqttClient;

before(async () => {
  influx = await startTestInflux();
  stack = await ApiStack.start({ influxUrl: influx.url, database: 'gw_api_dashboard', communities: { db: YAML } });
  device = await connectAsync(stack.pipeline.mqttUrl, { clientId: 'dashboard-devices', reconnectPeriod: 0 });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
});

after(async () => {
  await browser?.close();
  await device?.endAsync();
  await stack?.stop();
  await influx?.stop();
});

describe('dashboard', () => {
  it('shows a new alert live; a manager acknowledges and resolves it from the page', async () => {
    const manager = (await call(stack.url, '/api/keys', { key: ADMIN_KEY, method: 'POST', body: { role: 'manager', communities: [C] } })).body.key as string;
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(stack.url);
    await page.fill('#key', manager);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#live.on');

    await device.publishAsync(deviceTopic({ communityId: C, deviceType: 'access_gate', deviceId: 'g-01' }, 'event'), JSON.stringify({ ts: BASE, type: 'forced_open' }), { qos: 1 });
    await device.publishAsync(deviceTopic({ communityId: C, deviceType: 'access_gate', deviceId: 'g-01' }, 'telemetry'), JSON.stringify({ ts: BASE + 5000, doorClosed: true }), { qos: 1 });
    const row = page.locator('tr[data-alert-id]');
    await row.waitFor();
    assert.equal(await row.locator('td.state').textContent(), 'open');
    assert.equal(await row.locator('td.severity').textContent(), 'critical');
    const alertId = (await row.getAttribute('data-alert-id'))!;

    await page.fill('#by', '王经理');
    await page.fill('#comment', '<img src=x onerror="alert(1)">保安已到场');
    await row.locator('button[name=ack]').click();
    await page.waitForSelector('tr[data-state=acknowledged]');
    // a forced gate clears by its acknowledgement: the rule's clear comes back before the person resolves
    const historyOf = async () => ((await call(stack.url, `/api/alerts/${alertId}`, { key: manager })).body.history as { action: string }[]).map((h) => h.action);
    await waitFor(historyOf, (h) => h.includes('cleared'), { timeoutMs: 15_000, intervalMs: 50 });
    await row.locator('button[name=resolve]').click();
    await page.waitForSelector('tr[data-state=resolved]');
    assert.equal(await row.locator('button').count(), 0, 'no actions on a resolved alert');

    const history = (await call(stack.url, `/api/alerts/${alertId}`, { key: manager })).body.history;
    assert.deepEqual(history.map((h: any) => [h.action, h.by, h.comment ?? null]), [
      ['raised', 'rule', null],
      ['acknowledged', '王经理', '<img src=x onerror="alert(1)">保安已到场'],
      ['cleared', 'rule', 'cleared by the acknowledgement'],
      ['resolved', '王经理', '<img src=x onerror="alert(1)">保安已到场'],
    ]);
    assert.equal(await page.locator('img').count(), 0);
    assert.deepEqual(problems, []);
  });

  it('lists the criteria of the key\'s communities and downloads their evidence', async () => {
    const manager = (await call(stack.url, '/api/keys', { key: ADMIN_KEY, method: 'POST', body: { role: 'manager', communities: [C] } })).body.key as string;
    const page = await browser.newPage();
    await page.goto(stack.url);
    await page.fill('#key', manager);
    await page.click('#login button[type=submit]');
    const security = page.locator(`#criteria tr[data-community=${C}][data-criterion="12"]`);
    await security.waitFor();
    assert.deepEqual(await page.locator('#criteria tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-criterion'))), ['12', '13']);
    assert.equal(await security.locator('td').nth(2).textContent(), 'sensors');
    assert.equal(await page.locator('#criteria tr[data-criterion="13"] button').count(), 0, 'no evidence report for a registry criterion');

    const save = async (format: 'html' | 'csv') => {
      const [download] = await Promise.all([page.waitForEvent('download'), security.locator(`button[name=evidence-${format}]`).click()]);
      assert.equal(download.suggestedFilename(), `greenwatch-${C}-criterion-12.${format}`);
      return readFile((await download.path())!, 'utf8');
    };
    assert.match(await save('html'), /<h1>第12条 智能安防系统 · db<\/h1>/);
    assert.match(await save('csv'), /^alertId,rule,deviceId,severity,state,raisedAt,/);
    assert.equal(await page.textContent('#status'), '');
  });

  it('a bad key is refused on the page with the API\'s message', async () => {
    const page = await browser.newPage();
    await page.goto(stack.url);
    await page.fill('#key', 'not-a-key');
    await page.click('#login button[type=submit]');
    await page.waitForFunction("document.querySelector('#status').textContent !== ''");
    assert.equal(await page.textContent('#status'), 'unknown or revoked API key');
    assert.equal(await page.isVisible('#main'), false);
  });
});
