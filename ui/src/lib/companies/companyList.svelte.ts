/** State of the company list: the search and its paged rows. */

import { ipc, type CompanyPage, type CompanyQuery, type CompanyRow } from '../ipc';
import { PagedList } from '../list/pagedList.svelte';

export const COMPANY_PAGE_SIZE = 100;

export type CompanyListFetch = (query: CompanyQuery) => Promise<CompanyPage>;

export class CompanyListState {
  search = $state('');
  readonly list: PagedList<CompanyRow>;
  private readonly fetch: CompanyListFetch;

  constructor(fetch: CompanyListFetch = ipc.companyList) {
    this.fetch = fetch;
    this.list = new PagedList<CompanyRow>((offset, limit) => this.fetch(this.query(offset, limit)), {
      pageSize: COMPANY_PAGE_SIZE,
    });
  }

  query(offset: number, limit: number): CompanyQuery {
    const search = this.search.trim();
    return { search: search === '' ? null : search, offset, limit };
  }

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
