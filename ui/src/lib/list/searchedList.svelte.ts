/**
 * A server-side list narrowed by a search text: the search and the paged rows it selects.
 * Subclasses turn the search (and whatever else they own, e.g. the sort) into the query the
 * server expects; a new query always restarts the list from its first page.
 */

import type { Page } from './pagedCache';
import { PagedList } from './pagedList.svelte';

export abstract class SearchedList<Row, Query> {
  search = $state('');
  readonly list: PagedList<Row>;
  private readonly fetch: (query: Query) => Promise<Page<Row>>;

  constructor(fetch: (query: Query) => Promise<Page<Row>>, pageSize: number) {
    this.fetch = fetch;
    this.list = new PagedList<Row>((offset, limit) => this.fetch(this.query(offset, limit)), { pageSize });
  }

  abstract query(offset: number, limit: number): Query;

  /** The trimmed search, or null when there is nothing to search for. */
  protected get searchTerm(): string | null {
    const search = this.search.trim();
    return search === '' ? null : search;
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
}
