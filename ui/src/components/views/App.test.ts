import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import type { LeadQuery, LeadRow } from '../../lib/ipc';
import { navigate } from '../../lib/router.svelte';
import { appError, leadPage, leadRow, mockCommands, READY, settle } from '../../test/fixtures';
import App from './App.svelte';

function leadListOver(total: number, make?: (id: number) => LeadRow) {
  return (args: Record<string, unknown>) => leadPage(args.query as LeadQuery, total, make);
}

describe('start-up', () => {
  it('shows the database error with the file, what happened and what to do', async () => {
    const path = 'C:\\Users\\tanaka\\AppData\\Roaming\\Sodate\\sodate.db';
    mockCommands({
      app_status: () => ({
        dbPath: path,
        state: { status: 'failed', error: appError('db_newer', 'written by a newer Sodate (schema 9)', [], path) },
      }),
    });
    render(App);
    const view = await screen.findByTestId('db-error');
    expect(within(view).getByTestId('db-error-path').textContent).toBe(path);
    expect(within(view).getByTestId('db-error-what').textContent).toContain('新しいバージョンの Sodate');
    expect(within(view).getByTestId('db-error-todo').textContent).toContain('最新版に更新');
    expect(view.textContent).toContain('written by a newer Sodate (schema 9)');
    expect(screen.queryByRole('navigation')).toBeNull();
  });

  it('tells the user to close the other program when the database is locked', async () => {
    mockCommands({
      app_status: () => ({ dbPath: '/data/sodate.db', state: { status: 'failed', error: appError('db_locked', 'locked') } }),
    });
    render(App);
    expect((await screen.findByTestId('db-error-todo')).textContent).toContain('閉じてから');
    expect(screen.getByTestId('db-error-path').textContent).toBe('/data/sodate.db');
  });

  it('says the file was not changed when it is damaged', async () => {
    mockCommands({
      app_status: () => ({ dbPath: '/data/sodate.db', state: { status: 'failed', error: appError('db_corrupt', 'malformed') } }),
    });
    render(App);
    expect((await screen.findByTestId('db-error-todo')).textContent).toContain('ファイルは変更していません');
  });

  it('exports the readable leads of a damaged database to a chosen CSV and says what was written', async () => {
    const ipc = mockCommands({
      app_status: () => ({ dbPath: '/data/sodate.db', state: { status: 'failed', error: appError('db_corrupt', 'malformed') } }),
      backup_latest_good: () => null,
      'plugin:dialog|save': () => '/home/user/読み取れたリード.csv',
      salvage_export: (args) => ({
        path: args.path,
        suppressionPath: '/home/user/読み取れたリード-suppression.csv',
        leads: 12345,
        suppressed: 67,
        unreadable: 27,
        reachedEnd: true,
        companiesRead: false,
        seconds: 0.4,
      }),
    });
    render(App);
    expect(await screen.findByTestId('db-error-no-backup')).toBeTruthy();
    await fireEvent.click(await screen.findByTestId('db-error-salvage-button'));
    const said = await screen.findByTestId('db-error-salvaged');
    expect(ipc.argsOf('salvage_export')).toEqual([{ path: '/home/user/読み取れたリード.csv' }]);
    expect(said.textContent).toContain('リード12,345件を書き出しました');
    expect(said.textContent).toContain('配信停止の67件');
    expect(said.textContent).toContain('27件は読み取れませんでした');
    expect(said.textContent).toContain('会社名の列は空です');
    expect(said.textContent).not.toContain('末尾');
  });

  it('says why the readable leads could not be exported', async () => {
    mockCommands({
      app_status: () => ({ dbPath: '/data/sodate.db', state: { status: 'failed', error: appError('db_corrupt', 'malformed') } }),
      backup_latest_good: () => null,
      'plugin:dialog|save': () => '/home/user/leads.csv',
      salvage_export: () => {
        throw appError('db_corrupt', 'not even the list of tables can be read: database disk image is malformed');
      },
    });
    render(App);
    await fireEvent.click(await screen.findByTestId('db-error-salvage-button'));
    expect((await screen.findByRole('alert')).textContent).toContain('書き出せませんでした');
  });

  it('shows an error screen when the shell does not answer at all', async () => {
    mockCommands({
      app_status: () => {
        throw 'command app_status not found';
      },
    });
    render(App);
    const view = await screen.findByTestId('db-error');
    expect(view.dataset.errorCode).toBe('internal');
    expect(view.textContent).toContain('command app_status not found');
  });
});

describe('empty database', () => {
  it('explains the area and loads demo data on request', async () => {
    let total = 0;
    let finishDemo: () => void = () => {};
    const ipc = mockCommands({
      app_status: READY(0),
      lead_list: (args) => leadPage(args.query as LeadQuery, total),
      demo_load: (args) =>
        new Promise((resolve) => {
          finishDemo = () => {
            total = args.leads as number;
            resolve({ leads: total, companies: 180, activities: 16000, events: 5 });
          };
        }),
    });
    render(App);
    const offer = await screen.findByTestId('demo-offer');
    expect(offer.textContent).toContain('リードはまだありません');
    expect(within(offer).getByTestId('empty-lead-new').textContent).toContain('新規リード');

    const button = within(offer).getByTestId('demo-load');
    expect(button.textContent).toContain('デモデータを読み込む');
    await fireEvent.click(button);

    expect(ipc.argsOf('demo_load')).toEqual([{ leads: 2000 }]);
    await waitFor(() => expect(screen.getByTestId('demo-progress')).toBeTruthy());
    expect((screen.getByTestId('demo-load') as HTMLButtonElement).disabled).toBe(true);

    finishDemo();
    await waitFor(() => expect(screen.getAllByTestId('lead-row').length).toBeGreaterThan(10));
    expect(screen.queryByTestId('demo-offer')).toBeNull();
    expect(screen.getByTestId('lead-total').textContent).toBe('2,000件');
    expect(screen.getByTestId('toast').textContent).toContain('リード2,000件');
  });

  it('shows the reason when demo data cannot be loaded', async () => {
    mockCommands({
      app_status: READY(0),
      lead_list: leadListOver(0),
      demo_load: () => {
        throw appError('db_locked', 'locked');
      },
    });
    render(App);
    await fireEvent.click(await screen.findByTestId('demo-load'));
    const offer = screen.getByTestId('demo-offer');
    await waitFor(() => expect(within(offer).getByRole('alert').textContent).toContain('デモデータを読み込めませんでした。'));
    expect(within(offer).getByRole('alert').textContent).toContain('他のプログラムで使用中');
  });
});

describe('lead list', () => {
  it('renders the rows leadList returns and the formatted total, one page at a time', async () => {
    const ipc = mockCommands({
      app_status: READY(2000),
      lead_list: leadListOver(2000, (id) => leadRow(id, id === 1 ? { familyName: '髙橋', givenName: '一郎', familyReading: 'たかはし', givenReading: 'いちろう', lifecycleStage: 'won' } : {})),
    });
    render(App);
    await waitFor(() => expect(screen.getAllByTestId('lead-row').length).toBeGreaterThan(0));

    expect(screen.getByTestId('lead-total').textContent).toBe('2,000件');
    const first = screen.getAllByTestId('lead-row')[0] as HTMLElement;
    expect(first.dataset.leadId).toBe('1');
    expect(first.textContent).toContain('髙橋 一郎');
    expect(first.textContent).toContain('たかはし いちろう');
    expect(first.textContent).toContain('株式会社サンプル商事');
    expect(first.textContent).toContain('受注');
    expect(first.textContent).toContain('2026/11/22');

    // Only the window is rendered and only the first page requested — never all rows.
    expect(screen.getAllByTestId('lead-row').length).toBeLessThan(60);
    expect(ipc.argsOf('lead_list')).toEqual([
      { query: { search: null, sort: 'updated_at', descending: true, offset: 0, limit: 100 } },
    ]);
  });

  it('shows skeleton rows while the first page is on its way', async () => {
    let answer: (page: unknown) => void = () => {};
    mockCommands({
      app_status: READY(3),
      lead_list: (args) =>
        new Promise((resolve) => {
          answer = () => resolve(leadPage(args.query as LeadQuery, 3));
        }),
    });
    render(App);
    await waitFor(() => expect(screen.getAllByTestId('row-placeholder').length).toBeGreaterThan(0));
    expect(screen.queryAllByTestId('lead-row')).toHaveLength(0);
    answer(null);
    await waitFor(() => expect(screen.getAllByTestId('lead-row')).toHaveLength(3));
    expect(screen.queryAllByTestId('row-placeholder')).toHaveLength(0);
  });

  it('caps the scroll height for a million leads and still asks for one page', async () => {
    const ipc = mockCommands({ app_status: READY(1_000_000), lead_list: leadListOver(1_000_000) });
    const { container } = render(App);
    await waitFor(() => expect(screen.getAllByTestId('lead-row').length).toBeGreaterThan(0));
    expect(screen.getByTestId('lead-total').textContent).toBe('1,000,000件');
    const body = container.querySelector<HTMLElement>('[role="rowgroup"]');
    expect(body?.style.height).toBe('10000000px');
    expect(ipc.argsOf('lead_list')).toHaveLength(1);
  });

  it('sends what the user types in the search field to leadList', async () => {
    const ipc = mockCommands({
      app_status: READY(2000),
      lead_list: (args) => {
        const query = args.query as LeadQuery;
        return leadPage(query, query.search ? 3 : 2000, (id) => leadRow(id, { familyName: '佐藤' }));
      },
    });
    render(App);
    const search = (await screen.findByTestId('lead-search')) as HTMLInputElement;
    await fireEvent.input(search, { target: { value: '佐藤' } });

    await waitFor(() => expect(ipc.argsOf('lead_list').length).toBe(2));
    expect(ipc.argsOf('lead_list')[1]).toEqual({
      query: { search: '佐藤', sort: 'updated_at', descending: true, offset: 0, limit: 100 },
    });
    await waitFor(() => expect(screen.getByTestId('lead-total').textContent).toBe('3件'));
    expect(screen.getAllByTestId('lead-row')).toHaveLength(3);
  });

  it('debounces typing into one request', async () => {
    const ipc = mockCommands({ app_status: READY(50), lead_list: leadListOver(50) });
    render(App);
    const search = await screen.findByTestId('lead-search');
    await waitFor(() => expect(ipc.argsOf('lead_list')).toHaveLength(1));
    for (const value of ['さ', 'さと', 'さとう']) await fireEvent.input(search, { target: { value } });
    await waitFor(() => expect(ipc.argsOf('lead_list')).toHaveLength(2));
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(ipc.argsOf('lead_list')).toHaveLength(2);
    expect((ipc.argsOf('lead_list')[1]?.query as LeadQuery).search).toBe('さとう');
  });

  it('says so when nothing matches the search', async () => {
    mockCommands({
      app_status: READY(10),
      lead_list: (args) => leadPage(args.query as LeadQuery, (args.query as LeadQuery).search ? 0 : 10),
    });
    render(App);
    await fireEvent.input(await screen.findByTestId('lead-search'), { target: { value: 'zzz' } });
    expect((await screen.findByTestId('lead-no-results')).textContent).toContain('「zzz」に一致するリードはありません。');
  });

  it('sorts by a header click and reverses on the second click', async () => {
    const ipc = mockCommands({ app_status: READY(10), lead_list: leadListOver(10) });
    render(App);
    const sortName = await screen.findByTestId('sort-name');
    await fireEvent.click(sortName);
    await waitFor(() =>
      expect(ipc.argsOf('lead_list').at(-1)).toEqual({ query: { search: null, sort: 'name', descending: false, offset: 0, limit: 100 } }),
    );
    expect(sortName.closest('[role="columnheader"]')?.getAttribute('aria-sort')).toBe('ascending');
    await fireEvent.click(screen.getByTestId('sort-name'));
    await waitFor(() => expect((ipc.argsOf('lead_list').at(-1)?.query as LeadQuery).descending).toBe(true));
    expect(screen.getByTestId('sort-name').closest('[role="columnheader"]')?.getAttribute('aria-sort')).toBe('descending');
    await fireEvent.click(screen.getByTestId('sort-updated_at'));
    await waitFor(() => expect(ipc.argsOf('lead_list').at(-1)?.query).toMatchObject({ sort: 'updated_at', descending: true }));
  });

  it('refetches the visible page when the database reports a change', async () => {
    let total = 5;
    const ipc = mockCommands({ app_status: READY(5), lead_list: (args) => leadPage(args.query as LeadQuery, total) });
    render(App);
    await waitFor(() => expect(screen.getAllByTestId('lead-row')).toHaveLength(5));
    total = 6;
    await emit('db-changed', { entity: 'lead', ids: [6] });
    await waitFor(() => expect(screen.getAllByTestId('lead-row')).toHaveLength(6));
    expect(ipc.argsOf('lead_list')).toHaveLength(2);
    expect(screen.getByTestId('lead-total').textContent).toBe('6件');
  });

  it('shows a load error with a retry', async () => {
    let fail = true;
    mockCommands({
      app_status: READY(5),
      lead_list: (args) => {
        if (fail) throw appError('db_locked', 'locked');
        return leadPage(args.query as LeadQuery, 5);
      },
    });
    render(App);
    const error = await screen.findByTestId('lead-list-error');
    expect(error.textContent).toContain('リードを読み込めませんでした。');
    fail = false;
    await fireEvent.click(within(error).getByRole('button', { name: '再試行' }));
    await waitFor(() => expect(screen.getAllByTestId('lead-row')).toHaveLength(5));
  });

  it('opens a lead by click, and by keyboard with ↓ and Enter', async () => {
    const ipc = mockCommands({
      app_status: READY(20),
      lead_list: leadListOver(20),
      lead_get: (args) => {
        const id = args.id as number;
        const row = leadRow(id);
        return {
          lead: { ...row, companyReading: null, mobile: '', postalCode: '', address: '', website: '', notes: '', source: '', owner: '', consentState: 'unknown', firstEventName: null },
          tags: [], customFields: [], activities: [], activityCount: 0, stageHistory: [],
          qualification: { budget: '', authority: '', need: '', timeline: '', challenges: '', champAuthority: '', money: '', prioritisation: '' },
        };
      },
    });
    render(App);
    await waitFor(() => expect(screen.getAllByTestId('lead-row').length).toBe(20));
    await fireEvent.click(screen.getAllByTestId('lead-row')[2] as HTMLElement);
    expect(location.hash).toBe('#/leads/3');
    expect((await screen.findByTestId('lead-detail-name')).textContent).toBe('山田 太郎3');
    expect(screen.getAllByTestId('lead-row')[2]?.getAttribute('aria-selected')).toBe('true');

    const grid = screen.getByRole('grid', { name: 'リード一覧' });
    grid.focus();
    await fireEvent.keyDown(grid, { key: 'ArrowDown' });
    await fireEvent.keyDown(grid, { key: 'Enter' });
    await waitFor(() => expect(screen.getByTestId('lead-detail-name').textContent).toBe('山田 太郎4'));
    expect(ipc.argsOf('lead_get')).toEqual([{ id: 3 }, { id: 4 }]);
  });

  it('focuses the search with Ctrl+K, from another area too', async () => {
    mockCommands({ app_status: READY(5), lead_list: leadListOver(5) });
    render(App);
    await screen.findByTestId('lead-search');
    navigate('/settings');
    await screen.findByTestId('lang-switch');
    await fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    const search = await screen.findByTestId('lead-search');
    await waitFor(() => expect(document.activeElement).toBe(search));
  });
});

describe('shell', () => {
  it('opens card capture from the sidebar: the events to capture at', async () => {
    mockCommands({
      app_status: READY(5),
      lead_list: leadListOver(5),
      capture_events: () => [],
      capture_drafts: () => [],
    });
    render(App);
    await fireEvent.click(await screen.findByTestId('nav-capture'));
    expect((await screen.findByTestId('capture-no-events')).textContent).toContain('まだイベントがありません');
    expect(screen.getByTestId('capture-new-create').textContent).toContain('作成して開始');
    expect(screen.queryByTestId('placeholder')).toBeNull();
    expect(screen.getByTestId('nav-capture').getAttribute('aria-current')).toBe('page');
  });

  it('switches the language in Settings and shows the database path and version', async () => {
    mockCommands({ app_status: READY(5), lead_list: leadListOver(5) });
    render(App);
    await fireEvent.click(await screen.findByTestId('nav-settings'));
    expect(screen.getByTestId('settings-db-path').textContent).toBe('/home/user/.local/share/sodate/sodate.db');
    expect(screen.getByTestId('settings-version').textContent).toMatch(/^\d+\.\d+\.\d+/);
    expect(screen.getByTestId('nav-leads').textContent).toContain('リード');

    await fireEvent.change(screen.getByTestId('lang-switch'), { target: { value: 'en' } });
    expect(screen.getByTestId('nav-leads').textContent).toContain('Leads');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Settings');
    expect(localStorage.getItem('sodate.locale')).toBe('en');
    expect(document.documentElement.lang).toBe('en');
  });

  it('collapses the sidebar to icons and remembers it', async () => {
    mockCommands({ app_status: READY(5), lead_list: leadListOver(5) });
    render(App);
    const toggle = await screen.findByTestId('sidebar-toggle');
    await fireEvent.click(toggle);
    expect(screen.getByTestId('nav-leads').textContent?.trim()).toBe('');
    expect(screen.getByTestId('nav-leads').getAttribute('title')).toBe('リード');
    expect(localStorage.getItem('sodate.sidebarCollapsed')).toBe('1');
    await settle();
  });
});
