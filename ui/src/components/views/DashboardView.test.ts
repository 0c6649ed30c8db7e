import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import type { Dashboard, DashboardQuery, DrillQuery } from '../../lib/ipc';
import { navigate } from '../../lib/router.svelte';
import { leadPage, leadRow, mockCommands, READY } from '../../test/fixtures';
import App from './App.svelte';

// The canvas behind the charts is not what these tests look at: the figures are.
vi.mock('echarts/core', () => ({
  use: () => {},
  init: () => ({ setOption() {}, on() {}, resize() {}, dispose() {}, getDataURL: () => 'data:image/png;base64,AA==' }),
}));
vi.mock('echarts/charts', () => ({ BarChart: {}, LineChart: {} }));
vi.mock('echarts/components', () => ({ GridComponent: {}, LegendComponent: {}, TooltipComponent: {} }));
vi.mock('echarts/renderers', () => ({ CanvasRenderer: {} }));

function dashboard(query: DashboardQuery): Dashboard {
  const scale = query.event ? 0.1 : 1;
  const n = (x: number) => Math.round(x * scale);
  const stages = ['lead', 'mql', 'sal', 'sql', 'opportunity', 'won'];
  const reached = [2700, 906, 533, 351, 205, 94].map(n);
  return {
    cohort: n(3000),
    funnel: stages.map((stage, i) => ({
      stage,
      reached: reached[i] ?? 0,
      current: Math.round((reached[i] ?? 0) / 3),
      conversion: i < 5 ? (reached[i + 1] ?? 0) / (reached[i] ?? 1) : null,
      medianDays: i < 5 ? 30 + i : null,
    })),
    otherStages: ['subscriber', 'lost', 'recycled', 'disqualified'].map((stage) => ({ stage, reached: n(90), current: n(90) })),
    byEvent: [
      { key: '37', name: '営業・マーケティング展 2026', startsOn: '2026-09-14', leads: 143, mql: 52, sql: 22, opportunity: 10, won: 7, mqlRate: 52 / 143, winRate: 7 / 143 },
      { key: '12', name: 'MA活用セミナー 第4回', startsOn: '2026-10-11', leads: 140, mql: 55, sql: 25, opportunity: 15, won: 7, mqlRate: 55 / 140, winRate: 0.05 },
    ],
    bySource: [{ key: 'trade_show', name: 'trade_show', startsOn: null, leads: 500, mql: 200, sql: 90, opportunity: 40, won: 20, mqlRate: 0.4, winRate: 0.04 }],
    dormant: { days: query.dormantDays ?? 180, total: n(611), byStage: [{ stage: 'lead', count: n(500) }, { stage: 'mql', count: n(111) }] },
    trends: [{ start: '2026-11-01', end: '2026-11-30', newLeads: 120, mqls: 40, wins: 3 }],
    email: [{ month: '2026-11', sent: 0, opened: 0, clicked: 0, openRate: null, clickRate: null }],
    asOf: '2026-11-23',
  };
}

describe('dashboard', () => {
  it('shows the funnel and events, filters by event, and opens the leads behind a number', async () => {
    const ipc = mockCommands({
      app_status: READY(3000),
      lead_list: (args) => leadPage(args.query as never, 3000),
      segment_list: () => [{ id: 4, name: '展示会フォロー', kind: 'dynamic', filter: {}, frozenFrom: null, memberCount: null, createdAt: '', updatedAt: '' }],
      dashboard_compute: (args) => dashboard(args.query as DashboardQuery),
      dashboard_drill: (args) => {
        const q = args.query as DrillQuery;
        return { total: 52, offset: q.offset, rows: [leadRow(7, { familyName: '田村', givenName: '学' })] };
      },
      dashboard_journeys: () => [
        {
          id: 3,
          name: '製造業DX担当のジャーニー',
          personaName: '製造業の情報システム部長',
          refreshedAt: Date.UTC(2026, 10, 22) / 1000,
          stages: [
            { id: 's1', name: '認知', bound: true, count: 1200, entered: 2000, conversion: 0.4, medianDays: 12 },
            { id: 's2', name: '興味', bound: false, count: null, entered: 0, conversion: null, medianDays: null },
          ],
        },
      ],
      dashboard_dormant_segment: (args) => ({ id: 9, name: args.name, kind: 'dynamic', filter: {}, frozenFrom: null, memberCount: null, createdAt: '', updatedAt: '' }),
    });
    navigate('/dashboard');
    render(App);

    const cells = await screen.findAllByTestId('funnel-reached', {}, { timeout: 3000 });
    const mql = cells.find((el) => el.getAttribute('data-stage') === 'mql');
    expect(mql?.textContent).toBe('906');
    expect(screen.getByTestId('dashboard').getAttribute('data-cohort')).toBe('3000');
    expect(screen.getByTestId('dashboard-funnel').textContent).toContain('58.8%');
    const rows = screen.getAllByTestId('event-row');
    expect(rows.map((r) => within(r).getByTestId('event-mql').textContent)).toEqual(['52', '55']);
    expect(rows[0]?.textContent).toContain('2026/9/14');

    const journey = await screen.findByTestId('dashboard-journey');
    const stages = within(journey).getAllByTestId('dashboard-journey-stage').map((el) => el.textContent?.replace(/\s+/g, ' ').trim());
    expect(stages).toEqual(['認知 1,200 転換 40.0% 12 日', '興味 — 転換 —']);
    expect(journey.textContent).toContain('2026/11/22 集計');

    await fireEvent.click(within(rows[0] as HTMLElement).getByTestId('event-mql'));
    const panel = await screen.findByTestId('drill-panel');
    await waitFor(() => expect(within(panel).getByTestId('drill-total').getAttribute('data-total')).toBe('52'));
    expect(panel.textContent).toContain('営業・マーケティング展 2026・MQL に到達');
    expect(ipc.argsOf('dashboard_drill').at(-1)).toMatchObject({ query: { event: 37, stage: 'mql', current: false, offset: 0, limit: 100 } });

    const select = screen.getByTestId('dashboard-event') as HTMLSelectElement;
    select.value = '37';
    await fireEvent.change(select);
    await waitFor(() => expect(ipc.argsOf('dashboard_compute').at(-1)).toMatchObject({ query: { event: 37 } }));
    await waitFor(() => expect(screen.getByTestId('dashboard').getAttribute('data-cohort')).toBe('300'));
    expect(screen.queryByTestId('drill-panel')).toBeNull();

    await fireEvent.click(screen.getByTestId('dormant-segment'));
    await waitFor(() => expect(ipc.argsOf('dashboard_dormant_segment')).toHaveLength(1));
    expect(ipc.argsOf('dashboard_dormant_segment')[0]).toMatchObject({ query: { event: 37, dormantDays: 180 }, name: '休眠 180日（2026-11-23 作成）' });
  });

  it('shows why a filter was refused', async () => {
    mockCommands({
      app_status: READY(10),
      lead_list: (args) => leadPage(args.query as never, 10),
      segment_list: () => [],
      dashboard_compute: (args) => {
        if ((args.query as DashboardQuery).from) {
          throw { code: 'invalid', message: 'invalid input', details: { path: null, fields: [{ field: 'to', code: 'invalid_range', message: "the period's first day must not be after its last day", row: null }] } };
        }
        return dashboard(args.query as DashboardQuery);
      },
    });
    navigate('/dashboard');
    render(App);
    await screen.findByTestId('dashboard', {}, { timeout: 3000 });
    const from = screen.getByTestId('dashboard-from') as HTMLInputElement;
    from.value = '2026-12-01';
    await fireEvent.change(from);
    expect((await screen.findByTestId('dashboard-error')).textContent).toBe(
      '期間の指定が正しくありません。開始日は終了日より前の日付を YYYY-MM-DD で指定してください。',
    );
  });
});
