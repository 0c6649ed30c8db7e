// Export and compliance in the real app: export a segment with the Mailchimp profile (an
// opted-out member is left out and reported, as the CLI reports it), then import a mail
// results file with an unsubscribe and see that lead suppressed and its score changed.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { captureScreen, openApp, scratchDir, sodate, textOf, typeInto, visible, waitFor, withApp } from './harness.mjs';

const oneDecimal = (n) => n.toLocaleString('ja-JP', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

test('export a segment for Mailchimp without its opted-out member, then import an unsubscribe', withApp('export-results', async (s) => {
  const dir = scratchDir('export');
  const db = join(dir, 'demo.db');
  sodate('--db', db, 'demo', '--leads', '400', '--seed', '9', '--anchor', '2026-11-01');
  sodate('--db', db, 'score', '--json');

  // A segment of one prefecture; one of the leads it exports opts out.
  const filterFile = join(dir, 'tokyo.json');
  writeFileSync(filterFile, JSON.stringify({ field: 'prefecture', op: 'eq', value: '東京都' }));
  sodate('--db', db, 'segment', 'save', '東京都のリード', filterFile, '--json');
  const segment = sodate('--db', db, 'segment', 'list', '--json').find((x) => x.name === '東京都のリード');
  sodate('--db', db, 'export', '--profile', 'mailchimp', '--segment', String(segment.id), '--out', join(dir, 'before.csv'), '--json');
  const emails = readFileSync(join(dir, 'before.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((line) => line.split(',')[0]);
  assert.ok(emails.length >= 3, 'the segment exports several leads');
  const leadOf = (email) => {
    const found = sodate('--db', db, 'leads', '--search', email, '--json').leads.filter((l) => l.email.toLowerCase() === email.toLowerCase());
    return found.sort((x, y) => x.id - y.id)[0];
  };
  const target = leadOf(emails[0]);
  const stays = leadOf(emails[1]);
  sodate('--db', db, 'consent', 'add', '--lead', String(target.id), '--state', 'opted_out', '--method', 'web_form', '--evidence', '配信停止フォーム', '--json');
  const expected = sodate('--db', db, 'export', '--profile', 'mailchimp', '--segment', String(segment.id), '--out', join(dir, 'cli.csv'), '--json');
  assert.ok(expected.leftOut.optedOut >= 1);

  s.browser = await openApp(db);
  const b = s.browser;
  await visible(b, 'lead-row');
  await (await visible(b, 'nav-segments')).click();
  const item = await b.$(`[data-testid="segment-item"][data-segment="${segment.id}"]`);
  await item.waitForDisplayed({ timeout: 15000 });
  await item.click();
  await (await visible(b, 'segment-export')).click();
  await visible(b, 'export-dialog');
  assert.equal(await (await visible(b, 'export-profile')).getValue(), 'mailchimp');
  const summary = await visible(b, 'export-summary', 30000);
  await waitFor(async () => (await summary.getAttribute('data-loading')) === 'false' && (await summary.getAttribute('data-rows')) === String(expected.rows), `the preview counts ${expected.rows} rows`);
  assert.equal(await summary.getAttribute('data-suppressed'), String(expected.suppressed));
  assert.equal((await textOf(await visible(b, 'export-suppressed'))).replace(/\D/g, ''), String(expected.suppressed));
  const optedOut = await b.$('[data-testid="export-left-out"][data-reason="optedOut"]');
  assert.match(await textOf(optedOut), /配信停止/);
  assert.equal((await textOf(optedOut)).replace(/\D/g, ''), String(expected.leftOut.optedOut));
  const previewText = await textOf(await visible(b, 'export-preview'));
  assert.match(previewText, /Email Address/);
  assert.ok(!previewText.includes(target.email), 'the opted-out lead is not in the preview');
  if (process.env.SODATE_SCREENSHOT_DIR) captureScreen(join(process.env.SODATE_SCREENSHOT_DIR, 'screenshot-export.png'));

  const out = join(dir, 'mailchimp.csv');
  await typeInto(b, 'export-path', out);
  await (await visible(b, 'export-write')).click();
  const done = await visible(b, 'export-done', 30000);
  assert.equal(await done.getAttribute('data-rows'), String(expected.rows));
  const written = readFileSync(out, 'utf8');
  assert.equal(written.trim().split(/\r?\n/).length, expected.rows + 1, 'header + one line per row');
  assert.ok(!written.includes(target.email), 'the opted-out lead is not in the file');
  assert.ok(written.includes(stays.email), 'a member who did not opt out is in the file');
  assert.equal(written, readFileSync(join(dir, 'cli.csv'), 'utf8'), 'the app writes what the CLI writes');
  await (await visible(b, 'export-close')).click();

  // Results back: the remaining member clicked, then unsubscribed.
  const before = sodate('--db', db, 'score', '--explain', String(stays.id), '--json').engagement;
  const results = join(dir, 'results.csv');
  writeFileSync(results, `email,event,timestamp\n${stays.email},click,2026-11-20 10:00\n${stays.email},unsubscribe,2026-11-20 10:05\n`);
  await (await visible(b, 'nav-import')).click();
  await (await visible(b, 'import-tab-results')).click();
  await typeInto(b, 'results-path', results);
  await (await visible(b, 'results-run')).click();
  await visible(b, 'results-report', 30000);
  assert.equal((await textOf(await visible(b, 'results-unsubscribes'))).trim(), '1');
  assert.equal((await textOf(await visible(b, 'results-activities'))).trim(), '2');

  const after = sodate('--db', db, 'score', '--explain', String(stays.id), '--json').engagement;
  assert.notEqual(after, before, 'the score changed');
  assert.ok(sodate('--db', db, 'suppression', 'list', '--json').some((e) => e.email === stays.email.toLowerCase() && e.reason === 'opted_out'));

  await b.execute((id) => { location.hash = `#/leads/${id}`; }, stays.id);
  const records = await visible(b, 'consent-records');
  await waitFor(async () => /配信停止/.test(await textOf(records)), 'the consent records show the unsubscribe');
  const total = await visible(b, 'score-total-engagement');
  await waitFor(async () => (await textOf(total)).trim() === oneDecimal(after), `the engagement shows ${oneDecimal(after)}`);
  const email = await textOf(await visible(b, 'lead-detail-email'));
  assert.equal(email.trim(), stays.email);

  // Exporting the segment again leaves the unsubscribed lead out too.
  const again = sodate('--db', db, 'export', '--profile', 'mailchimp', '--segment', String(segment.id), '--out', join(dir, 'again.csv'), '--json');
  assert.equal(again.rows, expected.rows - 1);
  assert.ok(!readFileSync(join(dir, 'again.csv'), 'utf8').includes(stays.email));
}));
