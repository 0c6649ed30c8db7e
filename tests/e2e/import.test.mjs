// The import wizard in the real app: a Shift_JIS Eight export into an empty database, the
// leads as stored (checked against the CLI), and the undo from the history.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  allByTestId, byTestId, leadRowTexts, openApp, scratchDir, sodate, textOf, typeInto, visible, waitFor, withApp,
} from './harness.mjs';

const root = new URL('../../', import.meta.url).pathname;
const fixture = (name) => join(root, 'tests', 'fixtures', name);

test('import a Shift_JIS Eight export, find 髙橋 in the leads, undo it from the history', withApp('import-undo', async (s) => {
  const db = join(scratchDir('import'), 'import.db');
  s.browser = await openApp(db);
  const b = s.browser;
  // A fresh database first offers demo data; the import is the other way in.
  await visible(b, 'demo-offer');
  await (await visible(b, 'nav-import')).click();

  // A file that cannot be read is explained in the wizard, not a crash.
  await typeInto(b, 'import-path', fixture('unbalanced_quote.csv'));
  await (await visible(b, 'import-inspect')).click();
  const error = await visible(b, 'import-error');
  await waitFor(async () => /3行目/.test(await textOf(error)), 'the error names the row of the unclosed quote');
  assert.match(await textOf(error), /引用符/);

  await typeInto(b, 'import-path', fixture('eight_sjis.csv'));
  await (await visible(b, 'import-inspect')).click();
  await waitFor(async () => (await allByTestId(b, 'import-mapping-row')).length === 17, 'a mapping row per column (17)');
  assert.equal(await byTestId(b, 'import-error').isExisting(), false, 'the earlier error is gone');

  const encoding = await visible(b, 'import-encoding');
  assert.equal(await encoding.getValue(), 'shift_jis', 'the encoding is detected as Shift_JIS');
  const encodingLabel = await b.execute((el) => el.options[el.selectedIndex].text, encoding);
  assert.equal(encodingLabel, 'Shift_JIS');
  assert.equal(await (await visible(b, 'import-preset')).getValue(), 'eight', 'the Eight preset is recognised');

  const preview = await allByTestId(b, 'import-preview-row');
  assert.equal(preview.length, 20, 'the preview shows the 20 cards');
  for (const row of preview) assert.equal(await row.getAttribute('data-action'), 'create');
  const takahashi = await b.$('[data-testid="import-preview-row"][data-row="3"]');
  assert.match(await textOf(takahashi), /髙橋 一郎/);

  await (await visible(b, 'import-run')).click();
  const result = await visible(b, 'import-result', 30000);
  assert.equal((await textOf(await visible(b, 'import-created'))).trim(), '20');
  assert.equal((await textOf(await visible(b, 'import-failed'))).trim(), '0');
  assert.ok((await textOf(result)).includes('eight_sjis.csv'));
  assert.equal(sodate('--db', db, 'stats', '--json').leads, 20, 'the 20 leads are in the database');

  // The leads as stored: the UI shows what the CLI reads from the file.
  const expected = sodate('--db', db, 'leads', '--search', '髙橋', '--json');
  assert.equal(expected.total, 1, 'one lead named 髙橋');
  const stored = expected.leads[0];
  assert.equal(`${stored.familyName} ${stored.givenName}`, '髙橋 一郎');
  assert.ok(['株式会社ミライ技研', '㈱ミライ技研'].includes(stored.companyName), `company as stored: ${stored.companyName}`);
  assert.equal(stored.familyReading, 'タカハシ');

  await (await visible(b, 'import-show-leads')).click();
  await visible(b, 'lead-row');
  await waitFor(async () => (await textOf(await visible(b, 'lead-total'))).replace(/\D/g, '') === '20', 'the list shows the 20 imported leads');
  await typeInto(b, 'lead-search', '髙橋');
  const texts = await waitFor(async () => {
    const t = await leadRowTexts(b);
    return t.length === 1 ? t : null;
  }, 'the search finds one lead');
  assert.match(texts[0], /髙橋\s*一郎/);
  assert.ok(texts[0].includes(stored.companyName), `the row shows the stored company ${stored.companyName}: ${texts[0]}`);
  assert.ok(texts[0].includes(stored.familyReading), `the row shows the reading ${stored.familyReading}: ${texts[0]}`);

  // Back to Import: the history has the batch; undo it after confirming.
  await (await visible(b, 'nav-import')).click();
  await (await visible(b, 'import-tab-history')).click();
  const batch = sodate('--db', db, 'imports', '--json')[0];
  const historyRow = () => b.$(`[data-testid="import-history-row"][data-batch="${batch.id}"]`);
  const statusOf = async () => {
    const r = await historyRow();
    return (await r.isExisting()) ? r.getAttribute('data-status') : null;
  };
  await waitFor(async () => (await statusOf()) === 'applied', 'the history lists the applied batch');
  assert.match(await textOf(await historyRow()), /eight_sjis\.csv/);
  await (await (await historyRow()).$('[data-testid="import-history-undo"]')).click();
  await visible(b, 'confirm-dialog');
  assert.equal(sodate('--db', db, 'stats', '--json').leads, 20, 'nothing is undone before confirming');
  await (await visible(b, 'confirm-ok')).click();
  await waitFor(async () => (await statusOf()) === 'undone', 'the batch shows as undone');
  const report = await visible(b, 'import-undo-report');
  assert.match(await textOf(report), /20件を削除/);
  assert.equal(sodate('--db', db, 'stats', '--json').leads, 0, 'the leads are gone from the database');
  assert.equal(sodate('--db', db, 'imports', '--json')[0].status, 'undone');

  await (await visible(b, 'nav-leads')).click();
  await waitFor(async () => (await textOf(await visible(b, 'lead-total'))).replace(/\D/g, '') === '0', 'the lead list total is 0');
  assert.equal((await allByTestId(b, 'lead-row')).length, 0);
}));
