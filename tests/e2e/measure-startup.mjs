// Measures cold start to an interactive lead list on a given database (a benchmark, not a
// test: it asserts nothing). Run: SODATE_BENCH_DB=/path/to.db SODATE_E2E_ONLY=./measure-startup.mjs ./run.sh
// Prints, per run: the wall time from asking tauri-driver for a session (which starts the
// app) until the first lead row is displayed, and the webview's own time since navigation.
import { test } from 'node:test';
import { openApp, visible } from './harness.mjs';

const db = process.env.SODATE_BENCH_DB;

test('cold start to the first lead row', { skip: !db && 'set SODATE_BENCH_DB' }, async () => {
  for (let run = 1; run <= 3; run++) {
    const started = Date.now();
    const browser = await openApp(db);
    await visible(browser, 'lead-row', 60000);
    const wall = Date.now() - started;
    const sinceNavigation = await browser.execute(() => Math.round(performance.now()));
    console.log(`run ${run}: session request → first row ${wall} ms; webview navigation → first row ${sinceNavigation} ms`);
    await browser.deleteSession();
  }
});
