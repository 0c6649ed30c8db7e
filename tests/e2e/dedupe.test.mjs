// The duplicate review queue in the real app: the most confident pair side by side, one
// field taken from each lead, merged (both histories on the survivor), then unmerged from the
// lead's merge history (both leads back) — each step checked against the CLI.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { allByTestId, byTestId, openApp, scratchDir, sodate, textOf, visible, waitFor, withApp } from './harness.mjs';

const FIELD_OF = {
  family_name: 'familyName',
  given_name: 'givenName',
  family_reading: 'familyReading',
  given_reading: 'givenReading',
  department: 'department',
  title: 'title',
  email: 'email',
  phone: 'phone',
  mobile: 'mobile',
  prefecture: 'prefecture',
};

/** A lead as the CLI lists it (paging through the list). */
function leadById(db, id) {
  for (let offset = 0; ; offset += 200) {
    const page = sodate('--db', db, 'leads', '--limit', '200', '--offset', String(offset), '--json');
    const found = page.leads.find((l) => l.id === id);
    if (found || page.leads.length === 0) return found;
  }
}

test('merge the top pair choosing a field from each side, then unmerge it', withApp('dedupe-merge-unmerge', async (s) => {
  const db = join(scratchDir('dedupe'), 'demo.db');
  sodate('--db', db, 'demo', '--leads', '600', '--seed', '3', '--anchor', '2026-11-01');
  const before = sodate('--db', db, 'stats', '--json');
  const scan = sodate('--db', db, 'dedupe', '--json');
  assert.ok(scan.pairs.length > 0, 'the demo data has duplicates');
  const top = scan.pairs[0];

  s.browser = await openApp(db);
  const b = s.browser;
  await visible(b, 'lead-row');
  await (await visible(b, 'nav-duplicates')).click();
  await (await visible(b, 'dedupe-scan')).click();
  const compare = await visible(b, 'dedupe-compare', 30000);
  await waitFor(async () => (await allByTestId(b, 'dedupe-pair')).length > 0, 'the queue lists pairs');
  assert.equal(await compare.getAttribute('data-pair'), `${top.a}-${top.b}`, 'the most confident pair is shown first, as the CLI ranks it');
  const count = await textOf(await visible(b, 'dedupe-count'));
  assert.equal(count.replace(/\D/g, ''), String(scan.pairs.length), 'the queue has as many pairs as the CLI finds');
  assert.match(await textOf(await visible(b, 'dedupe-reasons')), /一致|類似|同じ/, 'the reasons are shown in Japanese');

  // Two fields that differ: the first taken from lead b, the second kept from lead a.
  await waitFor(async () => (await allByTestId(b, 'dedupe-field')).length > 0, 'the fields are compared');
  const differing = [];
  for (const row of await allByTestId(b, 'dedupe-field')) {
    const field = await row.getAttribute('data-field');
    if ((await row.getAttribute('data-differs')) === 'true' && FIELD_OF[field]) differing.push(field);
  }
  assert.ok(differing.length >= 2, `at least two fields differ: ${differing}`);
  const [fromB, fromA] = differing;
  await (await visible(b, `dedupe-pick-${fromB}-b`)).click();
  await (await visible(b, `dedupe-pick-${fromA}-a`)).click();

  const leadA = leadById(db, top.a);
  const leadB = leadById(db, top.b);
  assert.ok(leadA && leadB, 'both leads are listed by the CLI');
  const activitiesOf = async (side) => Number((await textOf(await visible(b, `dedupe-activities-${side}`))).replace(/\D/g, ''));
  const bothActivities = (await activitiesOf('a')) + (await activitiesOf('b'));
  await (await visible(b, 'dedupe-merge')).click();
  await waitFor(async () => sodate('--db', db, 'merges', '--json').length === 1, 'the merge is in the journal');
  const merge = sodate('--db', db, 'merges', '--json')[0];
  assert.equal(merge.survivorId, top.a);
  assert.equal(merge.mergedId, top.b);
  assert.equal(sodate('--db', db, 'stats', '--json').leads, before.leads - 1);
  const merged = leadById(db, top.a);
  assert.equal(merged[FIELD_OF[fromB]], leadB[FIELD_OF[fromB]], `${fromB} came from lead ${top.b}`);
  assert.equal(merged[FIELD_OF[fromA]], leadA[FIELD_OF[fromA]], `${fromA} stayed from lead ${top.a}`);
  // The pair left the queue.
  await waitFor(async () => {
    const shown = await byTestId(b, 'dedupe-compare');
    return !(await shown.isExisting()) || (await shown.getAttribute('data-pair')) !== `${top.a}-${top.b}`;
  }, 'the merged pair leaves the queue');

  // The survivor has both histories; its merge history offers the unmerge.
  await b.execute((id) => { location.hash = `#/leads/${id}`; }, top.a);
  const history = await visible(b, 'merge-history');
  assert.match(await textOf(history), new RegExp(`#${top.b}`));
  await waitFor(
    async () => (await textOf(await visible(b, 'lead-activity-count'))).replace(/\D/g, '') === String(bothActivities),
    `the survivor shows both histories: ${bothActivities} activities`,
  );
  assert.equal(sodate('--db', db, 'stats', '--json').activities, before.activities, 'no activity was lost');
  await (await visible(b, 'merge-unmerge')).click();
  await visible(b, 'confirm-dialog');
  await (await visible(b, 'confirm-ok')).click();
  await waitFor(async () => sodate('--db', db, 'merges', '--json')[0].undoneAt !== null, 'the merge is undone');
  assert.equal(sodate('--db', db, 'stats', '--json').leads, before.leads, 'both leads are back');
  const restored = leadById(db, top.b);
  assert.equal(restored[FIELD_OF[fromB]], leadB[FIELD_OF[fromB]], 'the restored lead has its own value back');
  const survivor = leadById(db, top.a);
  assert.equal(survivor[FIELD_OF[fromB]], leadA[FIELD_OF[fromB]], 'the survivor has its value from before the merge');
  await waitFor(async () => /取り消し/.test(await textOf(await visible(b, 'merge-history'))), 'the history shows the merge as undone');
}));
