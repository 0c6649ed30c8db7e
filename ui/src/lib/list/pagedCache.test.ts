import { describe, expect, it } from 'vitest';
import { PagedCache, type Page } from './pagedCache';

interface Row {
  n: number;
  version: number;
}

/** A fake server over `total` rows whose answers the test releases by hand. */
function server(total: number) {
  const calls: { offset: number; limit: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  let version = 1;
  const state = { total };
  const fetcher = (offset: number, limit: number) =>
    new Promise<Page<Row>>((resolve, reject) => {
      const v = version;
      calls.push({
        offset,
        limit,
        resolve: () => {
          const rows: Row[] = [];
          for (let i = offset; i < Math.min(state.total, offset + limit); i++) rows.push({ n: i, version: v });
          resolve({ total: state.total, rows });
        },
        reject,
      });
    });
  return {
    calls,
    fetcher,
    state,
    bump: () => version++,
    offsets: () => calls.map((c) => c.offset),
    async releaseAll() {
      const pending = calls.splice(0);
      pending.forEach((c) => c.resolve());
      await Promise.resolve();
      await Promise.resolve();
    },
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('PagedCache', () => {
  it('fetches only the pages of the visible window', async () => {
    const s = server(1_000_000);
    const cache = new PagedCache(s.fetcher, { pageSize: 100, maxConcurrent: 4 });
    cache.ensureRange(250, 420);
    expect(s.offsets()).toEqual([200, 300, 400]);
    expect(s.calls.every((c) => c.limit === 100)).toBe(true);
    await s.releaseAll();
    await flush();
    expect(cache.total).toBe(1_000_000);
    expect(cache.row(250)?.n).toBe(250);
    expect(cache.row(499)?.n).toBe(499);
    expect(cache.row(500)).toBeUndefined();
    expect(cache.row(199)).toBeUndefined();
  });

  it('requests page 0 first when the total is not known yet', () => {
    const s = server(50);
    const cache = new PagedCache(s.fetcher, { pageSize: 100 });
    cache.ensureRange(0, -1);
    expect(s.offsets()).toEqual([0]);
  });

  it('does not fetch a page twice (cached or in flight)', async () => {
    const s = server(1000);
    const cache = new PagedCache(s.fetcher, { pageSize: 100 });
    cache.ensureRange(0, 150);
    cache.ensureRange(0, 150);
    expect(s.offsets()).toEqual([0, 100]);
    await s.releaseAll();
    await flush();
    cache.ensureRange(50, 199);
    expect(s.calls).toHaveLength(0);
  });

  it('clamps the window to the total once known', async () => {
    const s = server(130);
    const cache = new PagedCache(s.fetcher, { pageSize: 100 });
    cache.ensureRange(0, 10);
    await s.releaseAll();
    await flush();
    cache.ensureRange(0, 10_000);
    expect(s.offsets()).toEqual([100]);
  });

  it('skips pages the user scrolled past before they were requested', async () => {
    const s = server(1_000_000);
    const cache = new PagedCache(s.fetcher, { pageSize: 100, maxConcurrent: 1 });
    cache.ensureRange(0, 30);
    cache.ensureRange(500_000, 500_030);
    cache.ensureRange(900_000, 900_030);
    // Only page 0 was started; the wanted window moved on before a slot freed.
    expect(s.offsets()).toEqual([0]);
    await s.releaseAll();
    await flush();
    expect(s.offsets()).toEqual([900_000]);
  });

  it('keeps at most maxPages pages, dropping ones no longer wanted', async () => {
    const s = server(100_000);
    const cache = new PagedCache(s.fetcher, { pageSize: 100, maxPages: 3, maxConcurrent: 8 });
    for (const start of [0, 1000, 2000, 3000, 4000]) {
      cache.ensureRange(start, start + 10);
      await s.releaseAll();
      await flush();
    }
    expect(cache.row(4005)?.n).toBe(4005);
    expect(cache.row(5)).toBeUndefined();
  });

  it('reset forgets rows and total and starts again from the first page', async () => {
    const s = server(1000);
    let changes = 0;
    const cache = new PagedCache(s.fetcher, { pageSize: 100, onChange: () => changes++ });
    cache.ensureRange(500, 520);
    await s.releaseAll();
    await flush();
    expect(cache.row(510)).toBeDefined();
    const before = changes;
    cache.reset();
    expect(changes).toBeGreaterThan(before);
    expect(cache.total).toBeNull();
    expect(cache.row(510)).toBeUndefined();
    expect(s.offsets()).toEqual([0]);
  });

  it('ignores answers to a query that was replaced', async () => {
    const s = server(1000);
    const cache = new PagedCache(s.fetcher, { pageSize: 100 });
    cache.ensureRange(0, 10);
    const stale = s.calls.splice(0);
    cache.reset();
    stale.forEach((c) => c.resolve());
    await flush();
    expect(cache.total).toBeNull();
    expect(cache.row(0)).toBeUndefined();
  });

  it('invalidate refetches the visible pages but shows the old rows meanwhile', async () => {
    const s = server(1000);
    const cache = new PagedCache(s.fetcher, { pageSize: 100 });
    cache.ensureRange(120, 140);
    await s.releaseAll();
    await flush();
    expect(cache.row(130)?.version).toBe(1);

    s.bump();
    cache.invalidate();
    expect(s.offsets()).toEqual([100]);
    expect(cache.row(130)?.version).toBe(1);
    await s.releaseAll();
    await flush();
    expect(cache.row(130)?.version).toBe(2);
  });

  it('drops stale rows beyond a shrunken total', async () => {
    const s = server(250);
    const cache = new PagedCache(s.fetcher, { pageSize: 100, maxConcurrent: 4 });
    cache.ensureRange(150, 249);
    await s.releaseAll();
    await flush();
    s.state.total = 120;
    cache.invalidate();
    await s.releaseAll();
    await flush();
    expect(cache.total).toBe(120);
    expect(cache.row(200)).toBeUndefined();
  });

  it('stops on an error and fetches again on retry', async () => {
    const s = server(1000);
    const cache = new PagedCache(s.fetcher, { pageSize: 100 });
    cache.ensureRange(0, 10);
    s.calls.splice(0)[0]?.reject(new Error('db locked'));
    await flush();
    expect(cache.error).toBeInstanceOf(Error);
    cache.ensureRange(0, 10);
    expect(s.calls).toHaveLength(0);
    cache.retry();
    expect(cache.error).toBeNull();
    expect(s.offsets()).toEqual([0]);
  });
});
