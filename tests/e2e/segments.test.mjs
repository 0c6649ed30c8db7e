// The segment builder in the real app: the example built by hand — industry IT AND
// (title contains 部長 OR title contains 取締役) AND a seminar attended in the last 90 days —
// the live count equal to `sodate segment count` for the same filter, saved, with its members;
// then the saved segment drives the lead list and one bulk action tags all its members.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ARTIFACTS, allByTestId, captureScreen, openApp, scratchDir, sodate, textOf, typeInto, visible, waitFor, withApp } from './harness.mjs';

const FILTER = {
  all: [
    { field: 'company.industry', op: 'eq', value: 'IT・通信' },
    { any: [{ field: 'title', op: 'contains', value: '部長' }, { field: 'title', op: 'contains', value: '取締役' }] },
    { activity: { type: 'seminar_attended', min_count: 1, within_days: 90 } },
  ],
};

/** Picks an option of a select the way a change by the user arrives. */
async function choose(b, testid, value) {
  const el = await visible(b, testid);
  await b.execute(
    (elem, v) => {
      elem.value = v;
      elem.dispatchEvent(new Event('change', { bubbles: true }));
    },
    el,
    value,
  );
}

test('build IT managers who attended a seminar, count as the CLI does, save, see members', withApp('segment-build', async (s) => {
  const dir = scratchDir('segments');
  const db = join(dir, 'demo.db');
  sodate('--db', db, 'demo', '--leads', '3000', '--seed', '3');
  const file = join(dir, 'filter.json');
  writeFileSync(file, JSON.stringify(FILTER));
  const expected = sodate('--db', db, 'segment', 'count', file, '--json').count;
  assert.ok(expected > 0, 'the demo data has IT managers who attended a seminar lately');
  const everyone = sodate('--db', db, 'stats', '--json').leads;

  s.browser = await openApp(db);
  const b = s.browser;
  await visible(b, 'lead-row');
  await (await visible(b, 'nav-segments')).click();
  const count = await visible(b, 'segment-count');
  await waitFor(async () => (await count.getAttribute('data-count')) === String(everyone), 'an empty segment counts every lead');

  await (await visible(b, 'segment-add-field-root')).click();
  await choose(b, 'segment-field-0', 'company.industry');
  await choose(b, 'segment-op-0', 'eq');
  await typeInto(b, 'segment-value-0', 'IT・通信');

  await (await visible(b, 'segment-add-group-root')).click();
  await (await visible(b, 'segment-add-field-1')).click();
  await (await visible(b, 'segment-add-field-1')).click();
  await choose(b, 'segment-field-1.0', 'title');
  await choose(b, 'segment-op-1.0', 'contains');
  await typeInto(b, 'segment-value-1.0', '部長');
  await choose(b, 'segment-field-1.1', 'title');
  await choose(b, 'segment-op-1.1', 'contains');
  await typeInto(b, 'segment-value-1.1', '取締役');

  await (await visible(b, 'segment-add-activity-root')).click();
  await choose(b, 'segment-activity-type-2', 'seminar_attended');
  await typeInto(b, 'segment-activity-days-2', '90');

  await waitFor(
    async () => (await count.getAttribute('data-count')) === String(expected) && (await count.getAttribute('data-busy')) === 'false',
    `the live count shows ${expected}, as the CLI counts the same filter`,
    20000,
  );
  const shown = await allByTestId(b, 'segment-member');
  assert.equal(shown.length, Math.min(20, expected), 'the first members are listed');

  await typeInto(b, 'segment-name', 'IT部長・役員のセミナー参加者');
  await (await visible(b, 'segment-save')).click();
  await waitFor(async () => sodate('--db', db, 'segment', 'list', '--json').some((x) => x.name === 'IT部長・役員のセミナー参加者'), 'the segment is saved');
  const saved = sodate('--db', db, 'segment', 'list', '--json').find((x) => x.name === 'IT部長・役員のセミナー参加者');
  const members = sodate('--db', db, 'leads', '--segment', String(saved.id), '--limit', '500', '--json');
  assert.equal(members.total, expected, 'the saved segment has the counted members');
  const item = await visible(b, 'segment-item');
  assert.match(await textOf(item), /IT部長・役員のセミナー参加者/);

  // Its members open as leads.
  const first = (await allByTestId(b, 'segment-member'))[0];
  await (await first.$('a')).click();
  await visible(b, 'lead-detail-name');
  const id = Number((await b.execute(() => location.hash)).replace(/\D/g, ''));
  assert.ok(members.leads.some((l) => l.id === id), 'the opened lead is a member');

  // The saved segment opens in the lead list, where a bulk action tags every member.
  await (await visible(b, 'nav-segments')).click();
  await (await visible(b, 'segment-item')).click();
  const reopened = await visible(b, 'segment-count');
  await waitFor(async () => (await reopened.getAttribute('data-count')) === String(expected), 'the saved segment is open');
  captureScreen(join(ARTIFACTS, 'segments.png')); // for review (docs/screenshot-segments.png)
  await (await visible(b, 'segment-open-leads')).click();
  const scope = await visible(b, 'lead-segment-scope');
  await waitFor(async () => (await textOf(scope)).includes(`${expected}件`), `the list is limited to the ${expected} members`);
  assert.match(await textOf(scope), /IT部長・役員のセミナー参加者/);
  assert.match(await textOf(await visible(b, 'lead-total')), new RegExp(`${expected}件`));
  const rows = await allByTestId(b, 'lead-row');
  assert.equal(rows.length, Math.min(rows.length, expected));

  await (await visible(b, 'lead-bulk-tag')).click();
  await typeInto(b, 'lead-bulk-value', 'セミナー重点');
  captureScreen(join(ARTIFACTS, 'segment-leads-bulk.png')); // for review
  await (await visible(b, 'lead-bulk-apply')).click();
  const tagged = join(dir, 'tagged.json');
  writeFileSync(tagged, JSON.stringify({ field: 'tags', op: 'contains', value: 'セミナー重点' }));
  await waitFor(async () => sodate('--db', db, 'segment', 'count', tagged, '--json').count === expected, `the ${expected} members are tagged`);
  const both = join(dir, 'both.json');
  writeFileSync(both, JSON.stringify({ all: [{ segment: saved.id }, { field: 'tags', op: 'contains', value: 'セミナー重点' }] }));
  assert.equal(sodate('--db', db, 'segment', 'count', both, '--json').count, expected, 'exactly the members were tagged');
}));

test('a journey stage condition counts the leads the map shows in that stage; conditions reorder by keyboard', withApp('segment-journey', async (s) => {
  const dir = scratchDir('segments-journey');
  const db = join(dir, 'demo.db');
  sodate('--db', db, 'demo', '--leads', '2000', '--seed', '5');
  sodate('--db', db, 'journey', 'create', '新規開拓', '--persona', '情シス部長');
  const map = sodate('--db', db, 'journey', 'list', '--json')[0];
  const rule = (stages) => {
    const file = join(dir, `rule-${stages.join('-')}.json`);
    writeFileSync(file, JSON.stringify({ field: 'lifecycle_stage', op: 'in', value: stages }));
    return file;
  };
  sodate('--db', db, 'journey', 'bind', String(map.id), '1', rule(['lead', 'mql', 'sal', 'sql']));
  sodate('--db', db, 'journey', 'bind', String(map.id), '2', rule(['mql', 'sal', 'sql']));
  const metrics = sodate('--db', db, 'journey', 'metrics', String(map.id), '--json');
  const second = metrics.stages[1];
  assert.ok(second.count > 0, 'the demo data has leads in the second stage');

  s.browser = await openApp(db);
  const b = s.browser;
  await visible(b, 'lead-row');
  await (await visible(b, 'nav-segments')).click();
  const count = await visible(b, 'segment-count');
  await (await visible(b, 'segment-add-journey-root')).click();
  await choose(b, 'segment-journey-map-0', String(map.id));
  await choose(b, 'segment-journey-stage-0', second.id);
  await waitFor(
    async () => (await count.getAttribute('data-count')) === String(second.count) && (await count.getAttribute('data-busy')) === 'false',
    `the live count shows the ${second.count} leads the map counts in ${second.name}`,
  );

  // A second condition, then moved above the first with the keyboard on its handle.
  await (await visible(b, 'segment-add-activity-root')).click();
  // One WebDriver request at a time (WebKitWebDriver drops the session on parallel ones).
  const kinds = async () => b.execute(() => [...document.querySelectorAll('[data-testid="segment-condition"]')].map((c) => c.dataset.kind));
  assert.deepEqual(await kinds(), ['journey', 'activity']);
  // Focus as Tab would (a pointer press on a handle starts a pointer drag, not focus).
  const handle = await visible(b, 'segment-handle-1');
  await b.execute((el) => el.focus(), handle);
  await b.keys(['Enter']);
  await b.keys(['ArrowUp']);
  await b.keys(['Enter']);
  await waitFor(async () => JSON.stringify(await kinds()) === JSON.stringify(['activity', 'journey']), 'the activity condition moved first');
  captureScreen(join(ARTIFACTS, 'segments-journey.png')); // for review (docs/screenshot-segments-journey.png)
  await typeInto(b, 'segment-name', '興味段階のリード');
  await (await visible(b, 'segment-save')).click();
  await waitFor(async () => sodate('--db', db, 'segment', 'list', '--json').some((x) => x.name === '興味段階のリード'), 'the segment is saved');
  const saved = sodate('--db', db, 'segment', 'list', '--json').find((x) => x.name === '興味段階のリード');
  assert.deepEqual(saved.filter.all.map((n) => Object.keys(n)[0]), ['activity', 'journey'], 'saved in the order shown');
  assert.deepEqual(saved.filter.all[1], { journey: { map: map.id, stage: second.id } });
}));
