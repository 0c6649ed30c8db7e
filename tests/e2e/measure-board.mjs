// Times the handoff board in the real app on a given database (a benchmark, not a test: it
// asserts nothing). It WRITES to the database (moves cards): use a copy.
// Run: SODATE_BENCH_DB=/path/to/copy.db [SODATE_BENCH_WAIT_MS=20000] SODATE_E2E_ONLY=./measure-board.mjs ./run.sh
// Opens the board from the lead list SODATE_BENCH_RUNS times (default 10), then moves the
// first card of the largest column to 商談 (or, from 商談, to SQL) as many times, and prints
// the page's own measures (ui/src/lib/timing.ts) as p50/p95/max in ms.
import { test } from 'node:test';
import { nextMeasure, openApp, percentiles, visible } from './harness.mjs';

const db = process.env.SODATE_BENCH_DB;
const runs = Number(process.env.SODATE_BENCH_RUNS ?? 10);

test('the board: first render and moves, timed in the page', { skip: !db && 'set SODATE_BENCH_DB' }, async () => {
  const b = await openApp(db);
  try {
    await visible(b, 'lead-row', 120000);
    // SODATE_BENCH_WAIT_MS: let the work the app starts in the background after start (the
    // quick check, the daily backup, the dashboard's read ahead) end first.
    await b.pause(Number(process.env.SODATE_BENCH_WAIT_MS ?? 0));
    const renders = [];
    for (let i = 0; i < runs; i++) {
      await b.execute(() => { location.hash = '#/leads'; });
      await visible(b, 'lead-row', 60000);
      await b.execute(() => { location.hash = '#/board'; });
      renders.push(await nextMeasure(b, 'board:first-render', i, 120000));
    }
    const counts = await b.execute(() =>
      [...document.querySelectorAll('[data-testid="board-column"]')].map((c) => [
        c.dataset.stage,
        Number(c.querySelector('[data-testid="board-column-count"]').innerText.replace(/\D/g, '')),
      ]),
    );
    const [from] = counts.reduce((a, c) => (c[1] > a[1] ? c : a));
    const to = from === 'opportunity' ? 'sql' : 'opportunity';
    const moves = [];
    const reloads = [];
    for (let i = 0; i < runs; i++) {
      // Moves that need no reason nor confirmation, chosen as the card's menu does.
      await b.execute(
        (stage, target) => {
          const menu = document.querySelector(`[data-testid="board-column"][data-stage="${stage}"] [data-testid="board-card-move"]`);
          menu.value = target;
          menu.dispatchEvent(new Event('change', { bubbles: true }));
        },
        from,
        to,
      );
      moves.push(await nextMeasure(b, 'board:move', i, 60000));
      reloads.push(await nextMeasure(b, 'board:move-reloaded', i, 120000));
    }
    console.log(JSON.stringify({ db, counts: Object.fromEntries(counts), moved: `${from} → ${to}` }));
    const line = (list) => `${JSON.stringify(percentiles(list))} ${list.map((m) => Math.round(m.ms)).join(' ')}`;
    console.log(`first render         ${line(renders)}`);
    console.log(`move                 ${line(moves)}`);
    console.log(`move, board reloaded ${line(reloads)}`);
  } finally {
    await b.deleteSession().catch(() => {});
  }
});
