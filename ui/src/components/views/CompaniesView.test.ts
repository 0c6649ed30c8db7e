import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import type { CompanyQuery, CompanyRow, LeadQuery } from '../../lib/ipc';
import { navigate } from '../../lib/router.svelte';
import { leadDetail, leadPage, leadRow, mockCommands, READY } from '../../test/fixtures';
import App from './App.svelte';

function company(id: number): CompanyRow {
  return { id, name: `株式会社テスト${id}`, reading: `てすと${id}`, domain: `t${id}.example.jp`, industry: '製造業', employeeBand: '100-299', prefecture: '愛知県', leadCount: id * 2 };
}

describe('companies', () => {
  it('lists companies with search and shows a company with its people', async () => {
    const ipc = mockCommands({
      app_status: READY(10),
      lead_list: (args) => leadPage(args.query as LeadQuery, 10),
      company_list: (args) => {
        const query = args.query as CompanyQuery;
        const total = query.search ? 1 : 30;
        return { total, offset: query.offset, rows: Array.from({ length: Math.min(total, query.limit) }, (_, i) => company(i + 1)) };
      },
      company_get: (args) => ({
        company: company(args.id as number),
        address: '愛知県名古屋市中村区名駅4-5-6',
        people: [leadRow(41, { familyName: '木村', givenName: '誠', title: '課長' })],
      }),
      lead_get: () => leadDetail(41, { familyName: '木村', givenName: '誠' }),
    });
    navigate('/companies');
    render(App);

    await waitFor(() => expect(screen.getAllByTestId('company-row').length).toBeGreaterThan(10));
    expect(screen.getByTestId('company-total').textContent).toBe('30社');
    const row = screen.getAllByTestId('company-row')[1] as HTMLElement;
    expect(row.textContent).toContain('株式会社テスト2');
    expect(row.textContent).toContain('てすと2');
    expect(row.textContent).toContain('製造業');

    await fireEvent.input(screen.getByTestId('company-search'), { target: { value: 'テスト' } });
    await waitFor(() => expect(ipc.argsOf('company_list').at(-1)).toEqual({ query: { search: 'テスト', offset: 0, limit: 100 } }));
    await waitFor(() => expect(screen.getAllByTestId('company-row')).toHaveLength(1));

    await fireEvent.click(screen.getAllByTestId('company-row')[0] as HTMLElement);
    const panel = await screen.findByTestId('company-detail');
    expect((await within(panel).findByTestId('company-detail-name')).textContent).toBe('株式会社テスト1');
    expect(panel.textContent).toContain('愛知県名古屋市中村区名駅4-5-6');

    await fireEvent.click(within(panel).getByTestId('company-person'));
    expect(location.hash).toBe('#/leads/41');
    expect((await screen.findByTestId('lead-detail-name')).textContent).toBe('木村 誠');
  });
});
