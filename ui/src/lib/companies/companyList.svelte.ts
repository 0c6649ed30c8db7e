/** State of the company list: the search and its paged rows. */

import { ipc, type CompanyPage, type CompanyQuery, type CompanyRow } from '../ipc';
import { SearchedList } from '../list/searchedList.svelte';

export const COMPANY_PAGE_SIZE = 100;

export type CompanyListFetch = (query: CompanyQuery) => Promise<CompanyPage>;

export class CompanyListState extends SearchedList<CompanyRow, CompanyQuery> {
  constructor(fetch: CompanyListFetch = ipc.companyList) {
    super(fetch, COMPANY_PAGE_SIZE);
  }

  query(offset: number, limit: number): CompanyQuery {
    return { search: this.searchTerm, offset, limit };
  }
}
