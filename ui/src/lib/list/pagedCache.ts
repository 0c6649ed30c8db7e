/**
 * Rows of a long server-side list, fetched lazily in fixed-size pages for the window the user
 * looks at, and cached.
 *
 * Invariants:
 * - only pages overlapping the last requested window are fetched (a fast scroll through a
 *   million rows does not queue every page it passed), at most `maxConcurrent` at a time;
 * - at most `maxPages` pages are kept; the least recently wanted are dropped first;
 * - `reset()` (new search or sort) drops everything; `invalidate()` (the data changed) keeps
 *   showing the old rows until the fresh page arrives, so the list does not flash;
 * - a response that belongs to an older generation (before a reset/invalidate) is ignored.
 */

export interface Page<Row> {
  total: number;
  rows: Row[];
}

export type PageFetcher<Row> = (offset: number, limit: number) => Promise<Page<Row>>;

export interface PagedCacheOptions {
  pageSize?: number;
  maxPages?: number;
  maxConcurrent?: number;
  /** Called whenever rows, the total, loading or error state change. */
  onChange?: () => void;
}

export class PagedCache<Row> {
  readonly pageSize: number;
  private readonly maxPages: number;
  private readonly maxConcurrent: number;
  private readonly onChange: () => void;

  private fetcher: PageFetcher<Row>;
  private generation = 0;
  private pages = new Map<number, Row[]>();
  private stale = new Map<number, Row[]>();
  private inFlight = new Set<number>();
  private wanted: number[] = [];
  private totalValue: number | null = null;
  private errorValue: unknown = null;

  constructor(fetcher: PageFetcher<Row>, options: PagedCacheOptions = {}) {
    this.fetcher = fetcher;
    this.pageSize = options.pageSize ?? 100;
    this.maxPages = Math.max(2, options.maxPages ?? 50);
    this.maxConcurrent = Math.max(1, options.maxConcurrent ?? 2);
    this.onChange = options.onChange ?? (() => {});
  }

  /** Matching rows on the server; null until the first page arrived. */
  get total(): number | null {
    return this.totalValue;
  }

  /** The last fetch error (cleared by the next successful fetch or a reset). */
  get error(): unknown {
    return this.errorValue;
  }

  get loading(): boolean {
    return this.inFlight.size > 0;
  }

  /** The row at `index`, or undefined when its page is not loaded (yet). */
  row(index: number): Row | undefined {
    if (index < 0 || (this.totalValue !== null && index >= this.totalValue)) return undefined;
    const page = Math.floor(index / this.pageSize);
    const at = index - page * this.pageSize;
    return (this.pages.get(page) ?? this.stale.get(page))?.[at];
  }

  /** Page numbers covering rows first..last (inclusive), clamped to the total when known. */
  pagesFor(first: number, last: number): number[] {
    let lastRow = last;
    if (this.totalValue !== null) lastRow = Math.min(lastRow, this.totalValue - 1);
    const firstRow = Math.max(0, first);
    if (lastRow < firstRow) return this.totalValue === null ? [0] : [];
    const pages: number[] = [];
    for (let p = Math.floor(firstRow / this.pageSize); p <= Math.floor(lastRow / this.pageSize); p++) {
      pages.push(p);
    }
    return pages;
  }

  /** Makes rows first..last available: fetches the pages that are missing. */
  ensureRange(first: number, last: number): void {
    this.wanted = this.pagesFor(first, last);
    for (const page of this.wanted) {
      // Re-inserting marks the page as recently wanted (Map keeps insertion order).
      const rows = this.pages.get(page);
      if (rows) {
        this.pages.delete(page);
        this.pages.set(page, rows);
      }
    }
    this.pump();
  }

  /** New query (search or sort changed): forget everything and start again from the top
   * (the list scrolls back to the first row; the view asks for more once it has the total). */
  reset(fetcher?: PageFetcher<Row>): void {
    if (fetcher) this.fetcher = fetcher;
    this.generation++;
    this.pages.clear();
    this.stale.clear();
    this.inFlight.clear();
    this.totalValue = null;
    this.errorValue = null;
    this.wanted = [0];
    this.onChange();
    this.pump();
  }

  /** The data changed on the server: refetch what is shown, keep old rows until then. */
  invalidate(): void {
    this.generation++;
    for (const [page, rows] of this.pages) this.stale.set(page, rows);
    this.pages.clear();
    this.inFlight.clear();
    this.errorValue = null;
    if (this.wanted.length === 0) this.wanted = [0];
    this.pump();
  }

  /** Fetch again after an error. */
  retry(): void {
    this.errorValue = null;
    this.onChange();
    this.pump();
  }

  private pump(): void {
    if (this.errorValue !== null) return;
    for (const page of this.wanted) {
      if (this.inFlight.size >= this.maxConcurrent) break;
      if (this.pages.has(page) || this.inFlight.has(page)) continue;
      this.fetchPage(page);
    }
  }

  private fetchPage(page: number): void {
    const generation = this.generation;
    this.inFlight.add(page);
    this.onChange();
    this.fetcher(page * this.pageSize, this.pageSize).then(
      (result) => {
        if (generation !== this.generation) return;
        this.inFlight.delete(page);
        this.pages.set(page, result.rows);
        this.stale.delete(page);
        this.totalValue = result.total;
        if (this.stale.size > 0 && this.inFlight.size === 0) this.dropStaleBeyondTotal();
        this.evict();
        this.onChange();
        this.pump();
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        this.inFlight.delete(page);
        this.errorValue = error;
        this.onChange();
      },
    );
  }

  private dropStaleBeyondTotal(): void {
    const total = this.totalValue ?? 0;
    for (const page of this.stale.keys()) {
      if (page * this.pageSize >= total) this.stale.delete(page);
    }
  }

  private evict(): void {
    const wanted = new Set(this.wanted);
    for (const page of this.pages.keys()) {
      if (this.pages.size <= this.maxPages) break;
      if (!wanted.has(page)) this.pages.delete(page);
    }
    // Stale rows only bridge the refetch of what is on screen.
    for (const page of this.stale.keys()) {
      if (!wanted.has(page)) this.stale.delete(page);
    }
  }
}
