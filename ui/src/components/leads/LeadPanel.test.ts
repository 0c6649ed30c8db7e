import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import type { LeadQuery } from '../../lib/ipc';
import { navigate } from '../../lib/router.svelte';
import { appError, leadDetail, leadPage, mockCommands, READY } from '../../test/fixtures';
import App from '../views/App.svelte';

describe('lead detail panel', () => {
  it('shows the lead family name first, its groups, tags, history and translated activity', async () => {
    mockCommands({
      app_status: READY(10),
      lead_list: (args) => leadPage(args.query as LeadQuery, 10),
      lead_get: () => leadDetail(5, {}, { activityCount: 340 }),
    });
    navigate('/leads/5');
    render(App);

    const panel = await screen.findByTestId('lead-detail');
    const name = await within(panel).findByTestId('lead-detail-name');
    expect(name.textContent).toBe('佐藤 花子');
    expect(within(panel).getByTestId('lead-detail-reading').textContent).toBe('さとう はなこ');
    expect(within(panel).getByTestId('lead-detail-company').textContent).toContain('東都システム株式会社');
    for (const heading of ['連絡先', '会社', '住所', 'その他', 'タグ', 'カスタム項目', 'ステージ履歴', '活動履歴']) {
      expect(within(panel).getByRole('heading', { name: new RegExp(heading) })).toBeTruthy();
    }
    expect(within(panel).getByTestId('lead-detail-email').textContent).toBe('sato@toto.example.jp');
    expect(panel.textContent).toContain('〒100-0005');
    expect(panel.textContent).toContain('展示会'); // source trade_show
    expect(panel.textContent).toContain('来場ブース');
    expect(within(panel).getByTestId('lead-detail-tags').textContent).toContain('決裁者');
    expect(within(panel).getByTestId('stage-history').textContent).toContain('SQL');

    const items = within(panel).getAllByTestId('activity-item');
    expect(items[0]?.textContent).toContain('セミナー参加');
    expect(items[0]?.textContent).toContain('製造業DXセミナー');
    expect(items[0]?.textContent).toContain('2026/11/20');
    expect(items[1]?.textContent).toContain('Webhook受信'); // unknown code → kindLabel
    expect(within(panel).getByTestId('activity-truncated').textContent).toBe('340件中2件を表示');
  });

  it('opens the company from the detail', async () => {
    mockCommands({
      app_status: READY(10),
      lead_list: (args) => leadPage(args.query as LeadQuery, 10),
      lead_get: () => leadDetail(5),
      company_list: () => ({ total: 0, offset: 0, rows: [] }),
      company_get: () => ({
        company: { id: 7, name: '東都システム株式会社', reading: 'とうとしすてむ', domain: 'toto.example.jp', industry: '情報通信業', employeeBand: '1000+', prefecture: '東京都', leadCount: 1 },
        address: '東京都港区芝浦3-4-5',
        people: [],
      }),
    });
    navigate('/leads/5');
    render(App);
    await fireEvent.click(await screen.findByTestId('lead-detail-company'));
    expect(location.hash).toBe('#/companies/7');
    expect((await screen.findByTestId('company-detail-name')).textContent).toBe('東都システム株式会社');
  });

  it('shows a dash for a score that was never computed', async () => {
    mockCommands({
      app_status: READY(1),
      lead_list: (args) => leadPage(args.query as LeadQuery, 1),
      lead_get: () => leadDetail(5, { engagementScore: null, fitScore: 12.4 }),
    });
    navigate('/leads/5');
    render(App);
    await screen.findByTestId('lead-detail-name');
    const facts = screen.getByTestId('lead-facts');
    expect(within(facts).getByText('行動スコア').nextElementSibling?.textContent).toBe('—');
    expect(within(facts).getByText('属性スコア').nextElementSibling?.textContent).toBe('12.4');
  });

  it('says so when the lead no longer exists', async () => {
    mockCommands({
      app_status: READY(10),
      lead_list: (args) => leadPage(args.query as LeadQuery, 10),
      lead_get: () => {
        throw appError('not_found', 'lead 99 does not exist');
      },
    });
    navigate('/leads/99');
    render(App);
    expect((await screen.findByTestId('lead-load-error')).textContent).toContain('このリードは見つかりません');
  });

  it('deletes after a confirmation that names the lead, then refreshes the list', async () => {
    let total = 10;
    const ipc = mockCommands({
      app_status: READY(10),
      lead_list: (args) => leadPage(args.query as LeadQuery, total),
      lead_get: () => leadDetail(5),
      lead_delete: () => {
        total = 9;
        return null;
      },
    });
    navigate('/leads/5');
    render(App);
    await screen.findByTestId('lead-detail-name');

    await fireEvent.click(screen.getByTestId('lead-delete'));
    const dialog = screen.getByTestId('confirm-dialog');
    expect(dialog.textContent).toContain('「佐藤 花子」を削除します');
    await fireEvent.click(within(dialog).getByTestId('confirm-cancel'));
    expect(screen.queryByTestId('confirm-dialog')).toBeNull();
    expect(ipc.argsOf('lead_delete')).toHaveLength(0);

    await fireEvent.click(screen.getByTestId('lead-delete'));
    await fireEvent.click(within(screen.getByTestId('confirm-dialog')).getByTestId('confirm-ok'));
    await waitFor(() => expect(ipc.argsOf('lead_delete')).toEqual([{ id: 5 }]));
    await waitFor(() => expect(screen.queryByTestId('lead-detail')).toBeNull());
    expect(location.hash).toBe('#/leads');
    expect(screen.getByTestId('toast').textContent).toContain('「佐藤 花子」を削除しました');
    await waitFor(() => expect(screen.getByTestId('lead-total').textContent).toBe('9件'));
  });

  it('edits in the panel; after saving the detail shows the saved lead and the list refreshes', async () => {
    let saved = false;
    const ipc = mockCommands({
      app_status: READY(10),
      lead_list: (args) => leadPage(args.query as LeadQuery, 10),
      lead_get: () => leadDetail(5),
      lead_update: (args) => {
        saved = true;
        const input = args.input as { familyName: string; title: string };
        return leadDetail(5, { familyName: input.familyName, title: input.title });
      },
    });
    navigate('/leads/5');
    render(App);
    await screen.findByTestId('lead-detail-name');
    const listCallsBefore = ipc.argsOf('lead_list').length;

    await fireEvent.click(screen.getByTestId('lead-edit'));
    expect(location.hash).toBe('#/leads/5/edit');
    const family = (await screen.findByTestId('field-familyName')) as HTMLInputElement;
    expect(family.value).toBe('佐藤');
    expect((screen.getByTestId('field-companyName') as HTMLInputElement).value).toBe('東都システム株式会社');
    await fireEvent.input(family, { target: { value: '齋藤' } });
    await fireEvent.click(screen.getByTestId('lead-save'));

    await waitFor(() => expect(screen.getByTestId('lead-detail-name').textContent).toBe('齋藤 花子'));
    expect(saved).toBe(true);
    expect(location.hash).toBe('#/leads/5');
    expect((ipc.argsOf('lead_update')[0]?.input as { familyName: string }).familyName).toBe('齋藤');
    await waitFor(() => expect(ipc.argsOf('lead_list').length).toBeGreaterThan(listCallsBefore));
    expect(screen.getByTestId('toast').textContent).toContain('保存しました');
  });

  it('creates a lead from 新規リード and shows it', async () => {
    const ipc = mockCommands({
      app_status: READY(10),
      lead_list: (args) => leadPage(args.query as LeadQuery, 10),
      lead_create: () => leadDetail(11, { familyName: '新井', givenName: '一郎' }),
    });
    render(App);
    await fireEvent.click(await screen.findByTestId('lead-new'));
    expect(location.hash).toBe('#/leads/new');
    await fireEvent.input(await screen.findByTestId('field-familyName'), { target: { value: '新井' } });
    await fireEvent.click(screen.getByTestId('lead-save'));
    await waitFor(() => expect(screen.getByTestId('lead-detail-name').textContent).toBe('新井 一郎'));
    expect(location.hash).toBe('#/leads/11');
    expect(ipc.argsOf('lead_get')).toHaveLength(0); // the saved detail is shown as returned
  });
});

describe('merge history on the lead', () => {
  it('lists the merges and unmerges one after confirming', async () => {
    let undone = false;
    const merges = () => [
      { id: 12, survivorId: 5, mergedId: 9, mergedName: '髙橋 宏', createdAt: '2026-11-20T01:00:00Z', undoneAt: undone ? '2026-11-22T01:00:00Z' : null },
    ];
    const ipc = mockCommands({
      app_status: READY(10),
      lead_list: (args) => leadPage(args.query as LeadQuery, 10),
      lead_get: () => leadDetail(5),
      lead_merges: merges,
      lead_unmerge: () => {
        undone = true;
        return { mergeId: 12, survivorId: 5, restoredId: 9, activitiesReturned: 3, historyReturned: 0, consentsReturned: 1, contactsReturned: 0, secondaryContactsRemoved: 1, keptFields: ['title'], notRestored: [] };
      },
    });
    navigate('/leads/5');
    render(App);
    const history = await screen.findByTestId('merge-history');
    expect(history.textContent).toContain('髙橋 宏（#9）を統合');
    await fireEvent.click(within(history).getByTestId('merge-unmerge'));
    const dialog = await screen.findByTestId('confirm-dialog');
    expect(dialog.textContent).toContain('髙橋 宏（#9）を統合前の状態で復元');
    expect(ipc.argsOf('lead_unmerge')).toHaveLength(0);
    await fireEvent.click(screen.getByTestId('confirm-ok'));
    await waitFor(() => expect(ipc.argsOf('lead_unmerge')).toEqual([{ merge: 12 }]));
    await waitFor(() => expect(screen.getByTestId('merge-item').dataset.undone).toBe('true'));
    expect(screen.getByTestId('unmerge-kept').textContent).toContain('役職');
    expect(screen.queryByTestId('merge-unmerge')).toBeNull();
  });
});
