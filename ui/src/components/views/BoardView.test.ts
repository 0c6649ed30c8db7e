import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { navigate } from '../../lib/router.svelte';
import { localeState } from '../../lib/i18n/locale.svelte';
import { mockCommands, READY } from '../../test/fixtures';
import App from './App.svelte';

const STAGES = ['mql', 'sal', 'sql', 'opportunity', 'won', 'lost', 'recycled', 'disqualified'];

const config = {
  stages: STAGES.map((stage) => ({
    stage,
    labelJa: stage === 'sal' ? '営業受付' : '',
    labelEn: '',
    slaDays: stage === 'sal' ? 3 : 0,
    reasons: stage === 'lost' ? ['予算が合わない', '競合に決定'] : stage === 'recycled' || stage === 'disqualified' ? ['その他'] : [],
  })),
  mqlSegment: null,
  dormantDays: 90,
};

function card(id: number, stage: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    familyName: '山田',
    givenName: '花子',
    companyName: '株式会社サンプル',
    grade: 'B1',
    engagementScore: 64.5,
    stage,
    stageChangedAt: '2026-11-15T00:00:00Z',
    daysInStage: 5,
    sla: stage === 'sal' ? 'overdue' : 'none',
    owner: '',
    bant: 2,
    champ: 0,
    ...extra,
  };
}

/** The board as the core sends it: every column's first `limit` cards. */
function board(cards: ReturnType<typeof card>[], limit = 50) {
  return {
    config,
    owners: ['鈴木 次郎'],
    events: [{ id: 3, name: '展示会 2026' }],
    columns: STAGES.map((stage) => {
      const mine = cards.filter((c) => c.stage === stage);
      return {
        stage,
        slaDays: stage === 'sal' ? 3 : 0,
        count: mine.length,
        overdue: stage === 'sal' ? mine.length : 0,
        page: { stage, total: mine.length, offset: 0, cards: mine.slice(0, limit) },
      };
    }),
  };
}

function backend(moveError: unknown = null, extra: ReturnType<typeof card>[] = [], limit = 50) {
  let cards = [card(7, 'sal'), card(8, 'mql', { familyName: '佐藤', givenName: '一郎', bant: 4 }), ...extra];
  return mockCommands({
    app_status: READY(2),
    segment_list: () => [],
    board_get: () => board(cards, limit),
    board_move: (args) => {
      if (moveError) throw moveError;
      const { lead, request } = args as { lead: number; request: { stage: string; reason: string } };
      const from = cards.find((c) => c.id === lead)!.stage;
      cards = cards.map((c) => (c.id === lead ? { ...c, stage: request.stage } : c));
      return { leadId: lead, fromStage: from, toStage: request.stage, changedAt: '2026-11-20T12:00:00Z', actor: 'me', reason: request.reason, note: '' };
    },
  });
}

async function openBoard() {
  localeState.current = 'ja';
  navigate('/board');
  render(App);
  return screen.findByTestId('board');
}

function column(stage: string) {
  return screen.getAllByTestId('board-column').find((c) => c.dataset.stage === stage)!;
}

function menuOf(id: number) {
  const el = screen.getAllByTestId('board-card').find((c) => c.dataset.lead === String(id))!;
  return within(el).getByTestId('board-card-move') as HTMLSelectElement;
}

describe('handoff board', () => {
  it('shows columns with names, counts, SLA and cards family-name first', async () => {
    backend();
    await openBoard();
    const sal = column('sal');
    expect(within(sal).getByRole('heading').textContent).toBe('営業受付');
    expect(within(sal).getByTestId('board-column-count').textContent).toBe('1');
    expect(within(sal).getByTestId('board-column-overdue').textContent).toBe('超過 1件');
    const c = within(sal).getByTestId('board-card');
    expect(within(c).getByTestId('board-card-open').textContent).toBe('山田 花子');
    expect(within(c).getByTestId('board-card-days').textContent).toContain('5日');
    expect(within(c).getByTestId('board-card-days').textContent).toContain('期限超過');
    expect(within(c).getByTestId('board-card-qual').textContent).toContain('BANT 2/4');
    expect(within(column('mql')).getByRole('heading').textContent).toBe('MQL');
  });

  it('moves at once where no reason is needed', async () => {
    const api = backend();
    await openBoard();
    await fireEvent.change(menuOf(8), { target: { value: 'sal' } });
    await waitFor(() => expect(api.argsOf('board_move')).toHaveLength(1));
    expect(api.argsOf('board_move')[0]).toEqual({
      lead: 8,
      request: { stage: 'sal', reason: '', note: '', confirmIncompleteBant: false },
    });
    await waitFor(() => expect(within(column('sal')).getAllByTestId('board-card')).toHaveLength(2));
  });

  it('shows a move in both columns\' counts at once, without a reload, and times it in the page', async () => {
    // Measures of this test only (those of earlier tests' boards may still be arriving).
    const since = performance.now();
    const measures = (name: string) => (performance.getEntriesByName(name) as PerformanceMeasure[]).filter((m) => m.startTime >= since);
    // SAL shows 1 of its 2 cards: the moved card enters it beyond the loaded page.
    const api = backend(null, [card(9, 'sal', { familyName: '田中' })], 1);
    await openBoard();
    await waitFor(() => expect(measures('board:first-render')).toHaveLength(1));
    expect(within(column('sal')).getByTestId('board-column-more').textContent).toContain('1');
    await fireEvent.change(menuOf(8), { target: { value: 'sal' } });
    await waitFor(() => expect(within(column('sal')).getByTestId('board-column-count').textContent).toBe('3'));
    expect(within(column('mql')).getByTestId('board-column-count').textContent).toBe('0');
    expect(within(column('sal')).getByTestId('board-column-overdue').textContent).toBe('超過 2件');
    expect(within(column('sal')).getByTestId('board-column-more').textContent).toContain('2');
    expect(within(column('sal')).getAllByTestId('board-card').map((c) => c.dataset.lead)).toEqual(['7']);
    await waitFor(() => expect(measures('board:move')).toHaveLength(1));
    expect(measures('board:move')[0]?.detail).toEqual({ lead: 8, from: 'mql', to: 'sal' });
    expect(api.argsOf('board_get')).toHaveLength(1);
  });

  it('asks for a reason before 失注 and sends the reason and note', async () => {
    const api = backend();
    await openBoard();
    await fireEvent.change(menuOf(7), { target: { value: 'lost' } });
    const dialog = await screen.findByTestId('confirm-dialog');
    expect(within(dialog).getByRole('heading').textContent).toBe('失注に移動する理由');
    const ok = within(dialog).getByTestId('confirm-ok') as HTMLButtonElement;
    expect(ok.disabled).toBe(true);
    expect(api.argsOf('board_move')).toHaveLength(0);
    await fireEvent.change(within(dialog).getByTestId('move-reason'), { target: { value: '競合に決定' } });
    await fireEvent.input(within(dialog).getByTestId('move-note'), { target: { value: '価格' } });
    expect(ok.disabled).toBe(false);
    await fireEvent.click(ok);
    await waitFor(() => expect(api.argsOf('board_move')).toHaveLength(1));
    expect(api.argsOf('board_move')[0]).toEqual({
      lead: 7,
      request: { stage: 'lost', reason: '競合に決定', note: '価格', confirmIncompleteBant: false },
    });
    await waitFor(() => expect(screen.queryByTestId('confirm-dialog')).toBeNull());
  });

  it('confirms a move to SQL with incomplete BANT, and cancelling moves nothing', async () => {
    const api = backend();
    await openBoard();
    await fireEvent.change(menuOf(7), { target: { value: 'sql' } });
    let dialog = await screen.findByTestId('confirm-dialog');
    expect(dialog.textContent).toContain('4項目中2項目');
    await fireEvent.click(within(dialog).getByTestId('confirm-cancel'));
    await waitFor(() => expect(screen.queryByTestId('confirm-dialog')).toBeNull());
    expect(api.argsOf('board_move')).toHaveLength(0);

    await fireEvent.change(menuOf(7), { target: { value: 'sql' } });
    dialog = await screen.findByTestId('confirm-dialog');
    await fireEvent.click(within(dialog).getByTestId('confirm-ok'));
    await waitFor(() => expect(api.argsOf('board_move')).toHaveLength(1));
    expect(api.argsOf('board_move')[0]).toMatchObject({ lead: 7, request: { stage: 'sql', confirmIncompleteBant: true } });
  });

  it('shows a refused move in words and keeps the card where it was', async () => {
    backend({ code: 'not_found', message: 'lead 8 does not exist', details: { path: null, fields: [] } });
    await openBoard();
    await fireEvent.change(menuOf(8), { target: { value: 'sal' } });
    const error = await screen.findByTestId('board-move-error');
    expect(error.textContent).toBe('対象のデータが見つかりません。削除された可能性があります。');
    await waitFor(() => expect(within(column('mql')).getAllByTestId('board-card')).toHaveLength(1));
  });
});
