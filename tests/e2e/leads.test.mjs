// The lead database in the real app: search, open, edit, restart, and the edit is kept.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  allByTestId, textOf, leadRowTexts, openApp, scratchDir, sodate, typeInto, visible, waitFor, withApp,
} from './harness.mjs';

const dir = scratchDir('leads');
const db = join(dir, 'demo.db');
sodate('--db', db, 'demo', '--leads', '3000', '--seed', '5', '--anchor', '2026-11-01');

test('search 田中, open a lead, edit its title, restart: the edit is kept', withApp('edit-kept', async (s) => {
  const expected = sodate('--db', db, 'leads', '--search', '田中', '--limit', '500', '--json');
  assert.ok(expected.total > 10, 'the demo database has leads named 田中');

  s.browser = await openApp(db);
  await visible(s.browser, 'lead-row');
  await typeInto(s.browser, 'lead-search', '田中');
  const total = await visible(s.browser, 'lead-total');
  await waitFor(
    async () => (await textOf(total)).replace(/\D/g, '') === String(expected.total),
    `the total shows ${expected.total}, as the CLI says`,
  );
  const texts = await waitFor(async () => {
    const t = await leadRowTexts(s.browser);
    return t.length > 0 && t.every((x) => x.includes('田中')) ? t : null;
  }, 'every visible row is a 田中');
  assert.ok(texts.length >= Math.min(10, expected.total));

  const rows = await allByTestId(s.browser, 'lead-row');
  const id = Number(await rows[0].getAttribute('data-lead-id'));
  await rows[0].click();
  const name = await visible(s.browser, 'lead-detail-name');
  const stored = sodate('--db', db, 'leads', '--search', '田中', '--limit', '500', '--json').leads.find((l) => l.id === id);
  assert.ok(stored, 'the opened row is one of the search results');
  assert.match(await textOf(name), new RegExp(`${stored.familyName}\\s*${stored.givenName}`));

  await (await visible(s.browser, 'lead-edit')).click();
  await typeInto(s.browser, 'field-title', 'E2E検証部長');
  await (await visible(s.browser, 'lead-save')).click();
  await waitFor(async () => (await textOf(await visible(s.browser, 'lead-detail'))).includes('E2E検証部長'), 'the detail shows the new title');

  await s.browser.deleteSession();
  s.browser = null;
  const afterRestart = sodate('--db', db, 'leads', '--search', '田中', '--limit', '500', '--json').leads.find((l) => l.id === id);
  assert.equal(afterRestart.title, 'E2E検証部長', 'the edit is in the database file');

  s.browser = await openApp(db);
  await visible(s.browser, 'lead-row');
  await typeInto(s.browser, 'lead-search', stored.email);
  // Wait for the search itself to apply (the edited lead is also first in the unfiltered
  // list, being the most recently updated), then open it.
  const byEmail = sodate('--db', db, 'leads', '--search', stored.email, '--json').total;
  await waitFor(async () => {
    const rows = await allByTestId(s.browser, 'lead-row');
    return (await textOf(await visible(s.browser, 'lead-total'))).replace(/\D/g, '') === String(byEmail)
      && rows.length === byEmail && Number(await rows[0].getAttribute('data-lead-id')) === id;
  }, 'the edited lead is found by its email after a restart');
  await (await allByTestId(s.browser, 'lead-row'))[0].click();
  await waitFor(async () => (await textOf(await visible(s.browser, 'lead-detail'))).includes('E2E検証部長'), 'the detail still shows the edit');
}));

test('a new lead with an invalid email shows the error at the field and saves nothing', withApp('invalid-email', async (s) => {
  const before = sodate('--db', db, 'stats', '--json').leads;
  s.browser = await openApp(db);
  await visible(s.browser, 'lead-row');
  await (await visible(s.browser, 'lead-new')).click();
  await typeInto(s.browser, 'field-familyName', '検証');
  await typeInto(s.browser, 'field-givenName', '花子');
  await typeInto(s.browser, 'field-email', 'hanako@@example');
  await (await visible(s.browser, 'lead-save')).click();
  const error = await visible(s.browser, 'error-email');
  assert.ok((await textOf(error)).trim().length > 0, 'the email field explains what is wrong');
  assert.equal(sodate('--db', db, 'stats', '--json').leads, before, 'nothing was saved');

  await typeInto(s.browser, 'field-email', 'hanako.kensho@example.co.jp');
  await (await visible(s.browser, 'lead-save')).click();
  await waitFor(async () => sodate('--db', db, 'stats', '--json').leads === before + 1, 'the corrected lead is saved');
  const saved = sodate('--db', db, 'leads', '--search', 'hanako.kensho', '--json');
  assert.equal(saved.total, 1);
  assert.equal(saved.leads[0].familyName, '検証');
}));

test('deleting a lead asks first, then removes it from the list and the database', withApp('delete', async (s) => {
  const before = sodate('--db', db, 'stats', '--json');
  // A lead whose email is its own (demo duplicates may share one).
  const victim = sodate('--db', db, 'leads', '--search', '佐藤', '--limit', '50', '--json').leads
    .find((l) => sodate('--db', db, 'leads', '--search', l.email, '--json').total === 1);
  assert.ok(victim, 'a lead with a unique email exists');
  s.browser = await openApp(db);
  await visible(s.browser, 'lead-row');
  await typeInto(s.browser, 'lead-search', victim.email);
  await waitFor(async () => {
    const rows = await allByTestId(s.browser, 'lead-row');
    return rows.length === 1 && Number(await rows[0].getAttribute('data-lead-id')) === victim.id;
  }, 'the lead is found by its email');
  await (await allByTestId(s.browser, 'lead-row'))[0].click();
  await (await visible(s.browser, 'lead-delete')).click();
  const dialog = await visible(s.browser, 'confirm-dialog');
  assert.ok((await textOf(dialog)).includes(victim.familyName), 'the confirmation names the lead');
  assert.equal(sodate('--db', db, 'stats', '--json').leads, before.leads, 'nothing is deleted before confirming');
  await (await visible(s.browser, 'confirm-ok')).click();
  await waitFor(async () => sodate('--db', db, 'stats', '--json').leads === before.leads - 1, 'the lead is deleted');
  await waitFor(async () => (await allByTestId(s.browser, 'lead-row')).length === 0, 'the list no longer shows it');
  assert.equal(sodate('--db', db, 'leads', '--search', victim.email, '--json').total, 0);
}));
