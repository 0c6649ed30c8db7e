// Journey maps in the real app: a map from the B2B template for a new persona, two stages
// bound to saved segments whose live counts equal the segments' counts, the emotion curve
// moved (keyboard: pointer drags are unreliable through WebKitWebDriver), a scenario step
// added, and the due list shown — as many leads as `sodate journey due` lists.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ARTIFACTS, allByTestId, captureScreen, openApp, scratchDir, sodate, typeInto, visible, waitFor, withApp } from './harness.mjs';

/** Picks an option of a select the way a change by the user arrives. */
async function choose(b, el, value) {
  await b.execute(
    (elem, v) => {
      elem.value = v;
      elem.dispatchEvent(new Event('change', { bubbles: true }));
    },
    el,
    value,
  );
}

async function stageCount(b, stageId) {
  const stage = await b.$(`[data-testid="journey-stage"][data-stage="${stageId}"]`);
  const badge = await stage.$('[data-testid="journey-stage-count"]');
  return badge.getAttribute('data-count');
}

async function bindToSegment(b, index, segmentId) {
  const open = await allByTestId(b, 'journey-stage-open');
  await open[index].click();
  await choose(b, await visible(b, 'journey-binding-mode'), 'segment');
  await waitFor(async () => (await allByTestId(b, 'journey-binding-segment')).length === 1, 'the segment choice appears');
  await choose(b, await visible(b, 'journey-binding-segment'), String(segmentId));
}

test('a B2B map for a new persona, bound to segments, with an emotion curve, a step and the due list', withApp('journey-map', async (s) => {
  const dir = scratchDir('journeys');
  const db = join(dir, 'demo.db');
  sodate('--db', db, 'demo', '--leads', '2000', '--seed', '5');
  const mqlFile = join(dir, 'mql.json');
  const sqlFile = join(dir, 'sql.json');
  writeFileSync(mqlFile, JSON.stringify({ field: 'lifecycle_stage', op: 'eq', value: 'mql' }));
  writeFileSync(sqlFile, JSON.stringify({ field: 'lifecycle_stage', op: 'in', value: ['sql', 'opportunity'] }));
  const mqlCount = sodate('--db', db, 'segment', 'count', mqlFile, '--json').count;
  const sqlCount = sodate('--db', db, 'segment', 'count', sqlFile, '--json').count;
  assert.ok(mqlCount > 0 && sqlCount > 0, 'the demo data has MQLs and SQLs');
  const mql = sodate('--db', db, 'segment', 'save', 'MQL', mqlFile, '--json').id;
  const sql = sodate('--db', db, 'segment', 'save', 'SQL・商談', sqlFile, '--json').id;

  s.browser = await openApp(db);
  const b = s.browser;
  await visible(b, 'lead-row');
  await (await visible(b, 'nav-journeys')).click();
  await visible(b, 'journey-create');
  await typeInto(b, 'journey-create-name', '新規開拓マップ');
  await typeInto(b, 'journey-create-persona-name', '情シス部長 佐藤さん');
  await (await visible(b, 'journey-create-submit')).click();
  await waitFor(async () => (await allByTestId(b, 'journey-stage')).length === 6, 'the map has the six B2B stages');
  const names = [];
  for (const el of await allByTestId(b, 'journey-stage-name')) names.push(await el.getValue());
  assert.deepEqual(names, ['認知', '興味', '比較', '検討', '購入', '継続']);

  await bindToSegment(b, 1, mql);
  await bindToSegment(b, 2, sql);
  await (await visible(b, 'journey-save')).click();
  await waitFor(async () => (await stageCount(b, 's2')) === String(mqlCount), `興味 shows ${mqlCount} leads, the MQL segment's count`, 20000);
  await waitFor(async () => (await stageCount(b, 's3')) === String(sqlCount), `比較 shows ${sqlCount} leads, the SQL segment's count`);

  // The emotion curve: 認知 up by two with the keyboard.
  const point = await b.$('[data-testid="emotion-point"][data-stage="s1"]');
  await b.execute((el) => el.focus(), point);
  await b.keys(['ArrowUp']);
  await b.keys(['ArrowUp']);
  if ((await point.getAttribute('data-emotion')) !== '2') {
    // Some WebKitWebDriver builds do not deliver keys to SVG elements: the same key events.
    await b.execute((el) => {
      for (let i = 0; i < 2; i++) el.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp', bubbles: true }));
    }, point);
  }
  await waitFor(async () => (await point.getAttribute('data-emotion')) === '2', 'the curve point moved to +2');

  // A scenario step for 興味: day 0, 事例紹介メール (the default content).
  const open = await allByTestId(b, 'journey-stage-open');
  await open[1].click();
  await (await visible(b, 'journey-add-step')).click();
  await waitFor(async () => (await allByTestId(b, 'journey-step')).length === 1, 'the step is added');
  assert.equal(await (await visible(b, 'journey-step-content')).getValue(), '事例紹介メール');
  await (await visible(b, 'journey-save')).click();
  await waitFor(async () => !(await (await visible(b, 'journey-save')).isEnabled()), 'the map is saved');

  const map = sodate('--db', db, 'journey', 'list', '--json')[0];
  assert.equal(map.name, '新規開拓マップ');
  assert.equal(map.personaName, '情シス部長 佐藤さん');
  const saved = sodate('--db', db, 'journey', 'metrics', String(map.id), '--json');
  assert.equal(saved.stages[0].count, null, '認知 is not bound');

  await (await visible(b, 'journey-due-load')).click();
  const expected = sodate('--db', db, 'journey', 'due', String(map.id), '--json').length;
  assert.ok(expected > 0, 'MQLs are due for the day-0 step');
  const total = await visible(b, 'journey-due-total');
  await waitFor(async () => (await total.getAttribute('data-total')) === String(expected), `the due list shows ${expected} leads`);
  const rows = await allByTestId(b, 'journey-due-row');
  assert.equal(rows.length, Math.min(200, expected));
  captureScreen(join(ARTIFACTS, 'journeys-editor.png'));
}));
