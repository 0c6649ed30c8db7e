/** State of the lead list: the query (search, sort) and its paged rows. */

import { ipc, type LeadPage, type LeadQuery, type LeadRow, type LeadSort } from '../ipc';
import { PagedList } from '../list/pagedList.svelte';

export const LEAD_PAGE_SIZE = 100;

/** Sorts that read best newest/highest first; the others start A→Z (あ→ん). */
const DESCENDING_FIRST: ReadonlySet<LeadSort> = new Set(['updated_at', 'created_at', 'engagement_score']);

export type LeadListFetch = (query: LeadQuery) => Promise<LeadPage>;

export class LeadListState {
  search = $state('');
  sort = $state<LeadSort>('updated_at');
  descending = $state(true);
  readonly list: PagedList<LeadRow>;
  private readonly fetch: LeadListFetch;

  constructor(fetch: LeadListFetch = ipc.leadList) {
    this.fetch = fetch;
    this.list = new PagedList<LeadRow>((offset, limit) => this.fetch(this.query(offset, limit)), {
      pageSize: LEAD_PAGE_SIZE,
    });
  }

  query(offset: number, limit: number): LeadQuery {
    const search = this.search.trim();
    return {
      search: search === '' ? null : search,
      sort: this.sort,
      descending: this.descending,
      offset,
      limit,
    };
  }

  /** Starts a new query if the search text really changed. */
  setSearch(text: string): boolean {
    if (text.trim() === this.search.trim()) {
      this.search = text;
      return false;
    }
    this.search = text;
    this.list.reset();
    return true;
  }

  /** Header click: the same column flips the direction, another starts in its natural one. */
  toggleSort(sort: LeadSort): void {
    if (sort === this.sort) {
      this.descending = !this.descending;
    } else {
      this.sort = sort;
      this.descending = DESCENDING_FIRST.has(sort);
    }
    this.list.reset();
  }
}
