// Data safety in the real app: an import is preceded by a backup; restoring that backup from
// Settings → Backups brings the database back as it was (the UI's lead count and the CLI's).
// A damaged database opens on the error screen, which restores the latest good backup.
import assert from 'node:assert/strict';
import { openSync, writeSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ARTIFACTS, allByTestId, captureScreen, openApp, scratchDir, sodate, textOf, typeInto, visible, waitFor, withApp } from './harness.mjs';

const root = new URL('../../', import.meta.url).pathname;
const fixture = (name) => join(root, 'tests', 'fixtures', name);

const leadTotal = async (b) => Number((await textOf(await visible(b, 'lead-total'))).replace(/\D/g, ''));

test('restore the backup taken before an import from Settings: the leads are as they were', withApp('backups-restore', async (s) => {
  const db = join(scratchDir('backups'), 'backups.db');
  sodate('--db', db, 'demo', '--leads', '120', '--seed', '5', '--anchor', '2026-11-01');
  const before = sodate('--db', db, 'stats', '--json').leads;
  assert.equal(before, 120);

  s.browser = await openApp(db);
  const b = s.browser;
  await (await visible(b, 'nav-import')).click();
  await typeInto(b, 'import-path', fixture('eight_sjis.csv'));
  await (await visible(b, 'import-inspect')).click();
  await waitFor(async () => (await allByTestId(b, 'import-preview-row')).length === 20, 'the preview shows the 20 cards');
  await (await visible(b, 'import-run')).click();
  await visible(b, 'import-result', 30000);
  assert.equal(sodate('--db', db, 'stats', '--json').leads, 140, 'the import added 20 leads');

  await (await visible(b, 'nav-leads')).click();
  await waitFor(async () => (await leadTotal(b)) === 140, 'the list shows 140 leads after the import');

  // Settings → Backups lists the backup taken before the import, with its lead count.
  await (await visible(b, 'nav-settings')).click();
  await visible(b, 'backups-list');
  const importRow = await b.$('[data-testid="backup-row"][data-reason="import"]');
  await importRow.waitForDisplayed({ timeout: 10000 });
  const rowText = await textOf(importRow);
  assert.match(rowText, /取り込みの前/, rowText);
  assert.match(rowText, /\b120\b/, `the row shows the 120 leads of the backup: ${rowText}`);
  captureScreen(join(ARTIFACTS, 'backups.png'));

  // Restore it, after confirming (the dialog says the current state is backed up first).
  await (await importRow.$('[data-testid="backup-restore"]')).click();
  const dialog = await visible(b, 'confirm-dialog');
  assert.match(await textOf(dialog), /現在の状態は、復元の前にバックアップします/);
  await (await visible(b, 'confirm-ok')).click();
  await waitFor(async () => !(await (await b.$('[data-testid="confirm-dialog"]')).isExisting()), 'the dialog closes after the restore', 60000);
  assert.equal(sodate('--db', db, 'stats', '--json').leads, before, 'the CLI reads the database as it was');

  // The state before the restore is itself a backup now, and the views show the restored data.
  await b.$('[data-testid="backup-row"][data-reason="restore"]').then((r) => r.waitForDisplayed({ timeout: 10000 }));
  await (await visible(b, 'nav-leads')).click();
  await waitFor(async () => (await leadTotal(b)) === before, 'the list shows the 120 leads again');

  // The full integrity check from Settings.
  await (await visible(b, 'nav-settings')).click();
  await (await visible(b, 'integrity-check')).click();
  const result = await visible(b, 'integrity-result', 30000);
  assert.equal(await result.getAttribute('data-integrity'), 'ok');
  assert.equal(sodate('--db', db, 'check', '--json').integrity, 'ok');

  // English.
  await (await visible(b, 'lang-switch')).selectByAttribute('value', 'en');
  await waitFor(async () => /Before an import/.test(await textOf(await visible(b, 'backups-list'))), 'the reasons in English');
  captureScreen(join(ARTIFACTS, 'backups-en.png'));
  await (await visible(b, 'lang-switch')).selectByAttribute('value', 'ja');
}));

test('a damaged database opens on the error screen, which restores the latest good backup', withApp('backups-damaged', async (s) => {
  const db = join(scratchDir('damaged'), 'damaged.db');
  sodate('--db', db, 'demo', '--leads', '300', '--seed', '6', '--anchor', '2026-11-01');
  sodate('--db', db, 'backup');
  // Garbage over pages in the middle of the (closed, checkpointed) file.
  const size = statSync(db).size;
  const fd = openSync(db, 'r+');
  writeSync(fd, Buffer.alloc(Math.floor(size / 4), 0xa5), 0, Math.floor(size / 4), Math.floor(size / 3));
  closeSync(fd);

  s.browser = await openApp(db);
  const b = s.browser;
  const screen = await visible(b, 'db-error', 30000);
  assert.equal(await screen.getAttribute('data-error-code'), 'db_corrupt');
  const restore = await visible(b, 'db-error-restore', 30000);
  assert.match(await textOf(await visible(b, 'db-error-choices')), /300/);
  // The other way out: export what can still be read (the save dialog is the shell's).
  assert.match(await textOf(await visible(b, 'db-error-salvage-button')), /CSV/);
  captureScreen(join(ARTIFACTS, 'backups-damaged.png'));
  await restore.click();
  await waitFor(async () => (await leadTotal(b)) === 300, 'the app opens on the restored 300 leads', 60000);
  assert.equal(sodate('--db', db, 'check', '--json').integrity, 'ok');
}));
