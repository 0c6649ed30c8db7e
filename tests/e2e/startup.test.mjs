// First start on an empty database, and a database the app must refuse.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { allByTestId, openApp, textOf, scratchDir, sodate, visible, waitFor, withApp } from './harness.mjs';

test('an empty database offers demo data, which fills the list', withApp('demo-offer', async (s) => {
  const db = join(scratchDir('empty'), 'new.db');
  s.browser = await openApp(db);
  await visible(s.browser, 'demo-offer');
  await (await visible(s.browser, 'demo-load')).click();
  await waitFor(async () => (await allByTestId(s.browser, 'lead-row')).length > 5, 'the list fills with demo leads', 60000);
  const stats = sodate('--db', db, 'stats', '--json');
  assert.ok(stats.leads >= 1000, `demo leads were written (${stats.leads})`);
  const total = await visible(s.browser, 'lead-total');
  assert.equal((await textOf(total)).replace(/\D/g, ''), String(stats.leads));
}));

test('a damaged file gets a clear screen naming it, and is not changed', withApp('damaged-db', async (s) => {
  const db = join(scratchDir('damaged'), 'damaged.db');
  const garbage = Buffer.alloc(16384, 0x5a);
  writeFileSync(db, garbage);
  s.browser = await openApp(db);
  const screen = await visible(s.browser, 'db-error');
  const text = await textOf(screen);
  assert.ok(text.includes('damaged.db'), `the screen names the file: ${text}`);
  assert.deepEqual(readFileSync(db), garbage, 'the file is untouched');
}));

test('the language switch changes the interface language', withApp('language', async (s) => {
  const db = join(scratchDir('lang'), 'lang.db');
  sodate('--db', db, 'demo', '--leads', '200');
  s.browser = await openApp(db);
  await visible(s.browser, 'lead-row');
  await (await visible(s.browser, 'nav-settings')).click();
  const select = await visible(s.browser, 'lang-switch');
  await select.selectByAttribute('value', 'ja');
  await waitFor(async () => (await textOf(await visible(s.browser, 'nav-leads'))).includes('リード'), 'Japanese labels');
  await select.selectByAttribute('value', 'en');
  await waitFor(async () => (await textOf(await visible(s.browser, 'nav-leads'))).includes('Leads'), 'English labels');
}));
