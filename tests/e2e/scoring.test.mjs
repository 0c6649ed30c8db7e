// Scoring in the real app: change a behaviour rule's points, see the impact preview agree
// with the CLI's preview of the same model, save, and see a lead's score and explanation
// change accordingly (checked against `sodate score --explain`).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { allByTestId, openApp, scratchDir, sodate, textOf, typeInto, visible, waitFor, withApp } from './harness.mjs';

const oneDecimal = (n) => n.toLocaleString('ja-JP', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

test('double the points of 資料請求, preview, save, and see a lead rescored', withApp('scoring-change', async (s) => {
  const dir = scratchDir('scoring');
  const db = join(dir, 'demo.db');
  sodate('--db', db, 'demo', '--leads', '600', '--seed', '3', '--anchor', '2026-11-01');
  sodate('--db', db, 'score', '--json'); // scores as of today, as the app keeps them

  // A lead with a document request worth less than half the rule's cap.
  let lead = null;
  for (let id = 1; id <= 600 && !lead; id++) {
    const e = sodate('--db', db, 'score', '--explain', String(id), '--json');
    const line = e.lines.find((l) => l.ruleId === 'document_request');
    if (line && line.points >= 2 && line.points <= 25) lead = { id, before: e, line };
  }
  assert.ok(lead, 'the demo data has a lead with a small document request score');

  // The CLI's preview of the same change, for the numbers the app must show.
  const modelFile = join(dir, 'model.json');
  sodate('--db', db, 'scoring', 'export', modelFile);
  const model = JSON.parse(readFileSync(modelFile, 'utf8'));
  const rule = model.behaviourRules.find((r) => r.id === 'document_request');
  assert.equal(rule.points, 30);
  rule.points = 60;
  writeFileSync(modelFile, JSON.stringify(model));
  const expected = sodate('--db', db, 'scoring', 'preview', modelFile, '--json').preview;
  assert.ok(expected.becomingMql > 0, 'doubling the points makes new MQLs');

  s.browser = await openApp(db);
  const b = s.browser;
  await visible(b, 'lead-row');
  await (await visible(b, 'nav-scoring')).click();
  await visible(b, 'scoring-editor');
  await typeInto(b, 'behaviour-points-document_request', '60');
  const impact = await visible(b, 'scoring-impact');
  await waitFor(async () => (await impact.getAttribute('data-state')) === 'ready', 'the impact preview is ready', 20000);
  assert.equal((await textOf(await visible(b, 'impact-mql'))).replace(/[\s,]/g, ''), `${expected.mqlNow}→${expected.mqlAfter}`);
  assert.equal((await textOf(await visible(b, 'impact-becoming'))).replace(/\D/g, ''), String(expected.becomingMql));
  assert.equal((await textOf(await visible(b, 'impact-leaving'))).replace(/\D/g, ''), String(expected.leavingMql));
  assert.equal((await textOf(await visible(b, 'impact-grades'))).replace(/\D/g, ''), String(expected.gradeChanges));
  assert.equal(
    sodate('--db', db, 'score', '--explain', String(lead.id), '--json').engagement,
    lead.before.engagement,
    'nothing is written before saving',
  );

  await (await visible(b, 'scoring-save')).click();
  await visible(b, 'scoring-saved', 30000);
  const after = sodate('--db', db, 'score', '--explain', String(lead.id), '--json');
  const afterLine = after.lines.find((l) => l.ruleId === 'document_request');
  assert.ok(Math.abs(afterLine.points - 2 * lead.line.points) <= 0.1 + 1e-9, `the line doubles: ${lead.line.points} → ${afterLine.points}`);
  assert.ok(Math.abs(after.engagement - (lead.before.engagement + afterLine.points - lead.line.points)) < 1e-6 || after.engagement === 100, 'the engagement rises by the same');
  assert.equal(sodate('--db', db, 'stats', '--json').leads, 600);

  // The lead's breakdown in the app shows the new line and total.
  await b.execute((id) => { location.hash = `#/leads/${id}`; }, lead.id);
  const total = await visible(b, 'score-total-engagement');
  await waitFor(async () => (await textOf(total)).trim() === oneDecimal(after.engagement), `the engagement shows ${oneDecimal(after.engagement)}`);
  const lines = await allByTestId(b, 'score-line');
  let shown = null;
  for (const line of lines) if ((await line.getAttribute('data-rule')) === 'document_request') shown = await textOf(line);
  assert.ok(shown, 'the document request line is shown');
  assert.match(shown, /資料請求/);
  assert.ok(shown.includes(`+${oneDecimal(afterLine.points)}`), `the line shows +${oneDecimal(afterLine.points)}: ${shown}`);
}));
