/**
 * Reactive face of a PagedCache for components: `version` changes whenever the cache does,
 * so templates that read rows through `row()` re-render.
 */

import { PagedCache, type PageFetcher, type PagedCacheOptions } from './pagedCache';

export class PagedList<Row> {
  #version = $state(0);
  readonly cache: PagedCache<Row>;

  constructor(fetcher: PageFetcher<Row>, options: Omit<PagedCacheOptions, 'onChange'> = {}) {
    this.cache = new PagedCache(fetcher, { ...options, onChange: () => this.#version++ });
  }

  /** Read this in a template or $derived to re-run when rows arrive. */
  get version(): number {
    return this.#version;
  }

  get total(): number | null {
    void this.#version;
    return this.cache.total;
  }

  /**
   * Rows a table should lay out: the total once known; until the first page arrives a few
   * skeleton rows, which say "loading" rather than "empty"; none after a failure.
   */
  displayCount(skeletonRows = 12): number {
    return this.total ?? (this.error ? 0 : skeletonRows);
  }

  get error(): unknown {
    void this.#version;
    return this.cache.error;
  }

  get loading(): boolean {
    void this.#version;
    return this.cache.loading;
  }

  row(index: number): Row | undefined {
    void this.#version;
    return this.cache.row(index);
  }

  ensureRange(first: number, last: number): void {
    this.cache.ensureRange(first, last);
  }

  reset(fetcher?: PageFetcher<Row>): void {
    this.cache.reset(fetcher);
  }

  invalidate(): void {
    this.cache.invalidate();
  }

  retry(): void {
    this.cache.retry();
  }
}
