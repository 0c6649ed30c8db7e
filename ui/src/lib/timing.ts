/**
 * In-page timings of what a user waits for, kept as User Timing entries
 * (`performance.measure`) so that the end-to-end tests and the webview's inspector read the
 * same figures: `performance.getEntriesByName('board:first-render')`.
 *
 * A timing ends when the page has shown the result as far as it can tell: after Svelte has
 * applied the state to the DOM (`tick`), after the next animation frame (style and layout of
 * that frame), and after the task that follows it (the frame's paint happens between the
 * two). Timings are figures for benchmarks, never asserted in tests.
 */

import { tick } from 'svelte';

/** The names of the measures, one place for the UI and the tests that read them. */
export const TIMINGS = {
  /** From opening the board to the first cards of every column on screen. */
  boardFirstRender: 'board:first-render',
  /** From the user's move (menu choice, drop or the dialog's confirmation) to the moved card
   * and both columns' new counts on screen. */
  boardMove: 'board:move',
  /** From the user's move to the board reloaded from the database after it. */
  boardMoveReloaded: 'board:move-reloaded',
  /** From the last edit of the scoring model to its impact preview on screen (including the
   * pause the editor waits for more typing, IMPACT_DELAY_MS). */
  scoringImpact: 'scoring:impact',
} as const;

export type TimingName = (typeof TIMINGS)[keyof typeof TIMINGS];

/** One timing under way. */
export interface Timing {
  readonly name: TimingName;
  readonly start: number;
  /** Records the measure once what the user waits for is on screen; its duration in ms, or
   * null when this timing already ended or was dropped. */
  end(detail?: Record<string, unknown>): Promise<number | null>;
  /** Forgets this timing (the wait it measured was abandoned). */
  drop(): void;
}

const supported = () => typeof performance !== 'undefined' && typeof performance.measure === 'function';

/** Resolves after the next frame has been rendered (or at once where there are no frames). */
export function afterNextPaint(): Promise<void> {
  if (typeof requestAnimationFrame !== 'function') return Promise.resolve();
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/** Starts timing `name` now (call it in the handler of the user's action). */
export function startTiming(name: TimingName, start = performance.now()): Timing {
  let open = true;
  return {
    name,
    start,
    async end(detail) {
      if (!open) return null;
      open = false;
      await tick();
      await afterNextPaint();
      if (!supported()) return null;
      // A few small entries per board opened or card moved: the timeline stays small.
      return performance.measure(name, { start, end: performance.now(), detail }).duration;
    },
    drop() {
      open = false;
    },
  };
}
