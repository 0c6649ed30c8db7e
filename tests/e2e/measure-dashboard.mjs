// Measures, in the real app on a given (large) database, how long the dashboard takes to
// show its funnel: the first time after start (the facts read ahead in the background, or
// not yet), again unchanged, and after another process moved a lead. A benchmark, not a
// test: it asserts nothing. Run:
//   SODATE_BENCH_DB=/path/to.db SODATE_E2E_ONLY=./measure-dashboard.mjs ./run.sh
// The time is the webview's own, from the click on the navigation item to the funnel's
// figures in the DOM (a MutationObserver, no WebDriver polling in it).
import { test } from 'node:test';
import { openApp, sodate, visible } from './harness.mjs';

const db = process.env.SODATE_BENCH_DB;
const waitFirst = Number(process.env.SODATE_BENCH_WAIT_MS ?? 20000);

/** Clicks `nav` and resolves with the ms until a funnel figure is in the DOM. */
async function timeToFunnel(b, nav) {
  return b.executeAsync((navId, done) => {
    const started = performance.now();
    const ready = () => document.querySelector('[data-testid="funnel-reached"][data-count]');
    const observer = new MutationObserver(() => {
      if (ready()) {
        observer.disconnect();
        done(Math.round(performance.now() - started));
      }
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true });
    document.querySelector(`[data-testid="${navId}"]`).click();
  }, nav);
}

test('dashboard on a large database', { skip: !db && 'set SODATE_BENCH_DB' }, async () => {
  const b = await openApp(db);
  await b.setTimeout({ script: 120000 });
  await visible(b, 'lead-row', 60000);
  await b.pause(waitFirst);
  console.log(`first dashboard, ${waitFirst} ms after the lead list: ${await timeToFunnel(b, 'nav-dashboard')} ms`);
  for (let run = 1; run <= 3; run++) {
    await (await visible(b, 'nav-leads')).click();
    await visible(b, 'lead-row');
    console.log(`again, nothing changed (run ${run}): ${await timeToFunnel(b, 'nav-dashboard')} ms`);
  }
  for (let run = 1; run <= 3; run++) {
    const sal = sodate('--db', db, 'board', '--json').columns.find((c) => c.stage === 'sal').cards[0];
    sodate('--db', db, 'move', String(sal.id), 'sql', '--confirm-incomplete-bant');
    await (await visible(b, 'nav-leads')).click();
    await visible(b, 'lead-row');
    console.log(`after another process moved lead ${sal.id} to SQL (run ${run}): ${await timeToFunnel(b, 'nav-dashboard')} ms`);
  }
  await b.deleteSession();
});
