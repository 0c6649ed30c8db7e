// Times the scoring page's impact preview in the real app on a given (large) database (a
// benchmark, not a test: it asserts nothing and writes nothing).
// Run: SODATE_BENCH_DB=/path/to.db [SODATE_BENCH_WAIT_MS=20000] [SODATE_BENCH_RUNS=5] \
//        [SODATE_BENCH_SAVE=1] SODATE_E2E_ONLY=./measure-scoring.mjs ./run.sh
// With SODATE_BENCH_SAVE=1 it also saves the last edit (this WRITES: use a copy), prints how
// long the save took and the progress texts it showed, and keeps a screenshot taken during
// it in artifacts/scoring-saving.png.
// Opens the Scoring page SODATE_BENCH_WAIT_MS after the lead list showed, changes the points
// of 資料請求 SODATE_BENCH_RUNS times, and prints the page's own measure (ui/src/lib/timing.ts:
// from the edit to the preview's figures on screen, including the editor's 400 ms pause for
// more typing) for the first edit and the ones after it.
import { test } from 'node:test';
import { join } from 'node:path';
import { ARTIFACTS, captureScreen, nextMeasure, openApp, percentiles, typeInto, visible } from './harness.mjs';

const db = process.env.SODATE_BENCH_DB;
const runs = Number(process.env.SODATE_BENCH_RUNS ?? 5);

test('the impact preview, timed in the page', { skip: !db && 'set SODATE_BENCH_DB' }, async () => {
  const b = await openApp(db);
  try {
    await visible(b, 'lead-row', 120000);
    await b.pause(Number(process.env.SODATE_BENCH_WAIT_MS ?? 0));
    await (await visible(b, 'nav-scoring')).click();
    await visible(b, 'scoring-editor', 60000);
    const previews = [];
    for (let i = 0; i < runs; i++) {
      await typeInto(b, 'behaviour-points-document_request', String(31 + i));
      previews.push(await nextMeasure(b, 'scoring:impact', i, 120000));
    }
    const figures = await b.execute(() => document.querySelector('[data-testid="scoring-impact"]')?.innerText);
    console.log(JSON.stringify({ db, wait: process.env.SODATE_BENCH_WAIT_MS ?? '0', figures }));
    console.log(`first preview       ${Math.round(previews[0].ms)} ms`);
    const rest = previews.slice(1);
    console.log(`previews after it   ${JSON.stringify(percentiles(rest))} ${rest.map((m) => Math.round(m.ms)).join(' ')}`);
    if (process.env.SODATE_BENCH_SAVE) {
      // The progress texts shown, collected in the page while the save runs.
      await b.execute(() => {
        window.__saveTexts = [];
        const seen = new MutationObserver(() => {
          const text = document.querySelector('[data-testid="scoring-save-progress"]')?.innerText;
          if (text && window.__saveTexts.at(-1) !== text) window.__saveTexts.push(text);
        });
        seen.observe(document.body, { subtree: true, childList: true, characterData: true });
      });
      const started = Date.now();
      await (await visible(b, 'scoring-save')).click();
      await b.pause(Number(process.env.SODATE_BENCH_SHOT_MS ?? 6000));
      captureScreen(join(ARTIFACTS, 'scoring-saving.png'));
      await visible(b, 'scoring-saved', 300000);
      console.log(`save                ${Date.now() - started} ms (WebDriver polling)`);
      console.log(`progress shown      ${JSON.stringify(await b.execute(() => window.__saveTexts))}`);
    }
  } finally {
    await b.deleteSession().catch(() => {});
  }
});
