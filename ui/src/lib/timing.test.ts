import { describe, expect, it } from 'vitest';
import { startTiming, TIMINGS } from './timing';

const mine = (since: number) =>
  (performance.getEntriesByName(TIMINGS.boardMove, 'measure') as PerformanceMeasure[]).filter((m) => m.startTime >= since);

describe('in-page timings', () => {
  it('records one measure from the start to after the next paint, with its detail, once', async () => {
    const since = performance.now();
    const timing = startTiming(TIMINGS.boardMove);
    const ms = await timing.end({ lead: 7 });
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(await timing.end()).toBeNull();
    const entries = mine(since);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.startTime).toBe(timing.start);
    expect(entries[0]?.duration).toBe(ms);
    expect(entries[0]?.detail).toEqual({ lead: 7 });
  });

  it('records nothing for a dropped timing', async () => {
    const since = performance.now();
    const timing = startTiming(TIMINGS.boardMove);
    timing.drop();
    expect(await timing.end()).toBeNull();
    expect(mine(since)).toHaveLength(0);
  });
});
