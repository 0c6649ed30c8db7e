/** State of the lead list: the query (search, sort, segment) and its paged rows. */

import { ipc, type LeadPage, type LeadQuery, type LeadRow, type LeadSort } from '../ipc';
import { SearchedList } from '../list/searchedList.svelte';

export const LEAD_PAGE_SIZE = 100;

/** Sorts that read best newest/highest first; the others start A→Z (あ→ん). */
const DESCENDING_FIRST: ReadonlySet<LeadSort> = new Set(['updated_at', 'created_at', 'engagement_score']);

export type LeadListFetch = (query: LeadQuery) => Promise<LeadPage>;

export class LeadListState extends SearchedList<LeadRow, LeadQuery> {
  sort = $state<LeadSort>('updated_at');
  descending = $state(true);
  /** Only the members of this saved segment (null: every lead). */
  segment = $state<number | null>(null);

  constructor(fetch: LeadListFetch = ipc.leadList) {
    super(fetch, LEAD_PAGE_SIZE);
  }

  query(offset: number, limit: number): LeadQuery {
    return {
      search: this.searchTerm,
      sort: this.sort,
      descending: this.descending,
      offset,
      limit,
      ...(this.segment === null ? {} : { segment: this.segment }),
    };
  }

  /** Limits the list to a saved segment's members (null: every lead). */
  setSegment(segment: number | null): void {
    if (segment === this.segment) return;
    this.segment = segment;
    this.list.reset();
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
