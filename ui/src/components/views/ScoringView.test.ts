import { beforeEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import type { LeadQuery, ScoringModel } from '../../lib/ipc';
import { navigate } from '../../lib/router.svelte';
import { scoringEditor } from '../../lib/scoring/editor.svelte';
import { appError, leadPage, leadRow, mockCommands, READY } from '../../test/fixtures';
import { emit } from '@tauri-apps/api/event';
import App from './App.svelte';

function model(): ScoringModel {
  return {
    version: 1,
    behaviourRules: [
      { id: 'document_request', label: { ja: '資料請求', en: 'Document request' }, activityType: 'document_request', detail: null, points: 30, repeat: 'repeatable', cap: 60 },
      { id: 'pricing_page', label: { ja: '料金ページ閲覧', en: 'Pricing page' }, activityType: 'page_view', detail: { op: 'contains', value: '/pricing' }, points: 10, repeat: 'repeatable', cap: 30 },
    ],
    fitRules: [{ id: 'manager', label: { ja: '部長クラス', en: 'Managers' }, field: 'title', op: 'contains', values: ['部長', '本部長'], points: 20 }],
    decay: { kind: 'half_life', days: 90 },
    engagementCap: 100,
    fitCap: 100,
    mql: { engagement: 60, fit: 30 },
    grades: { fit: [60, 40, 20], engagement: [60, 40, 20] },
  };
}

const catalogue = () => ({
  fitFields: [{ code: 'title', labelJa: '役職', labelEn: 'Title' }, { code: 'company.industry', labelJa: '業種', labelEn: 'Industry' }],
  activityTypes: [
    { id: 3, code: 'document_request', labelJa: '資料請求', labelEn: 'Document request', builtin: true },
    { id: 13, code: 'page_view', labelJa: 'ページ閲覧', labelEn: 'Page view', builtin: true },
  ],
  defaultModel: model(),
});

const impact = { leads: 1200, mqlNow: 100, mqlAfter: 130, becomingMql: 40, leavingMql: 10, gradeChanges: 75, scoreChanges: 300, seconds: 0.2 };

function backend(extra: Record<string, (args: Record<string, unknown>) => unknown> = {}) {
  return mockCommands({
    app_status: READY(1200),
    lead_list: (args) => leadPage(args.query as LeadQuery, 1200),
    scoring_model: () => ({ revision: 2, updatedAt: '2026-11-20T01:00:00Z', model: model() }),
    scoring_catalogue: catalogue,
    scoring_impact: () => impact,
    ...extra,
  });
}

async function openEditor() {
  navigate('/scoring');
  render(App);
  return screen.findByTestId('scoring-editor');
}

function points(id: string): HTMLInputElement {
  return screen.getByTestId(`behaviour-points-${id}`) as HTMLInputElement;
}

describe('scoring editor', () => {
  beforeEach(() => {
    scoringEditor.draft = null;
    scoringEditor.stored = null;
    scoringEditor.lastSaved = null;
  });

  it('shows the stored rules in Japanese with their activity, condition, points and cap', async () => {
    backend();
    const editor = await openEditor();
    const rows = within(editor).getAllByTestId('behaviour-rule');
    expect(rows).toHaveLength(2);
    expect((within(rows[1]!).getByLabelText('ルール名') as HTMLInputElement).value).toBe('料金ページ閲覧');
    expect((within(rows[1]!).getByLabelText('詳細の値') as HTMLInputElement).value).toBe('/pricing');
    expect(points('pricing_page').value).toBe('10');
    const fit = within(editor).getAllByTestId('fit-rule')[0]!;
    expect((within(fit).getByLabelText('値') as HTMLInputElement).value).toBe('部長、本部長');
    expect((within(fit).getByLabelText('項目') as HTMLSelectElement).selectedOptions[0]?.textContent).toBe('役職');
    expect(document.body.textContent).toMatch(/版 2 · 2026\/11\/2[01] /);
    expect((screen.getByTestId('scoring-save') as HTMLButtonElement).disabled).toBe(true);
  });

  it('previews the impact of an edit before saving, and lists who', async () => {
    const ipc = backend({
      scoring_impact_leads: () => ({
        total: 40,
        offset: 0,
        rows: [{ lead: leadRow(7, { engagementScore: 50, fitScore: 30, grade: 'B2' }), engagementAfter: 65, fitAfter: 30, gradeAfter: 'B1', mqlAfter: true }],
      }),
    });
    await openEditor();
    await fireEvent.input(points('document_request'), { target: { value: '45' } });
    const panel = screen.getByTestId('scoring-impact');
    await waitFor(() => expect(panel.dataset.state).toBe('ready'), { timeout: 2000 });
    const sent = ipc.argsOf('scoring_impact').at(-1)?.model as ScoringModel;
    expect(sent.behaviourRules[0]?.points).toBe(45);
    expect(ipc.argsOf('scoring_save')).toHaveLength(0);
    expect(screen.getByTestId('impact-mql').textContent).toBe('100 → 130');
    expect(screen.getByTestId('impact-becoming').textContent).toContain('+40');
    expect(screen.getByTestId('impact-leaving').textContent).toContain('−10');
    expect(screen.getByTestId('impact-grades').textContent).toContain('75');

    await fireEvent.click(screen.getByTestId('impact-becoming'));
    const list = await screen.findByTestId('impact-leads');
    await waitFor(() => expect(within(list).getAllByTestId('impact-lead')).toHaveLength(1));
    expect(list.textContent).toContain('40件中1件');
    expect(list.textContent).toContain('50 → 65');
    expect(list.textContent).toContain('B2 → B1');
    expect(ipc.argsOf('scoring_impact_leads')[0]).toMatchObject({ kind: 'becoming_mql', offset: 0 });
  });

  it('marks an empty number and refuses to save until it is fixed', async () => {
    const ipc = backend();
    await openEditor();
    await fireEvent.input(points('pricing_page'), { target: { value: '' } });
    await waitFor(() => expect(screen.getByTestId('scoring-impact').dataset.state).toBe('invalid'));
    expect(points('pricing_page').getAttribute('aria-invalid')).toBe('true');
    expect((screen.getByTestId('scoring-save') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('scoring-impact').textContent).toContain('1件の問題');
    await fireEvent.input(points('pricing_page'), { target: { value: '12' } });
    await waitFor(() => expect(screen.getByTestId('scoring-impact').dataset.state).toBe('ready'), { timeout: 2000 });
    expect(ipc.argsOf('scoring_save')).toHaveLength(0);
  });

  it('shows the server validation at the rule and keeps the stored model', async () => {
    backend({
      scoring_impact: () => {
        throw appError('invalid', 'invalid model', [{ field: 'fitRules[0].field', code: 'unknown_field', message: 'no field "colour"', row: null }]);
      },
    });
    await openEditor();
    await fireEvent.input(points('document_request'), { target: { value: '31' } });
    await waitFor(() => expect(screen.getByTestId('scoring-impact').dataset.state).toBe('invalid'), { timeout: 2000 });
    const field = within(screen.getAllByTestId('fit-rule')[0]!).getByLabelText('項目');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(field.getAttribute('title')).toBe('この項目はありません。');
  });

  it('saves, recomputes and says how many leads were rescored', async () => {
    let saved: ScoringModel | null = null;
    const ipc = backend({
      scoring_save: (args) => {
        saved = args.model as ScoringModel;
        return { leads: 1200, changed: 300, mql: 130, becameMql: 40, leftMql: 10, scoredDay: '2026-11-23', seconds: 0.4 };
      },
      scoring_model: () => ({ revision: saved ? 3 : 2, updatedAt: '2026-11-23T01:00:00Z', model: saved ?? model() }),
    });
    await openEditor();
    await fireEvent.input(points('document_request'), { target: { value: '45' } });
    await waitFor(() => expect((screen.getByTestId('scoring-save') as HTMLButtonElement).disabled).toBe(false), { timeout: 2000 });
    await fireEvent.click(screen.getByTestId('scoring-save'));
    await waitFor(() => expect(ipc.argsOf('scoring_save')).toHaveLength(1));
    expect((ipc.argsOf('scoring_save')[0]?.model as ScoringModel).behaviourRules[0]?.points).toBe(45);
    const done = await screen.findByTestId('scoring-saved');
    expect(done.textContent).toContain('300件のリードのスコアを更新');
    expect(done.textContent).toContain('MQL 130件');
    expect((screen.getByTestId('scoring-save') as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows the backup, then the leads written, while a save runs', async () => {
    let finish: () => void = () => {};
    backend({
      scoring_save: () =>
        new Promise((resolve) => {
          finish = () => resolve({ leads: 1200, changed: 300, mql: 130, becameMql: 40, leftMql: 10, scoredDay: '2026-11-23', seconds: 14.2 });
        }),
    });
    await openEditor();
    await fireEvent.input(points('document_request'), { target: { value: '45' } });
    await waitFor(() => expect((screen.getByTestId('scoring-save') as HTMLButtonElement).disabled).toBe(false), { timeout: 2000 });
    await fireEvent.click(screen.getByTestId('scoring-save'));
    const progress = await screen.findByTestId('scoring-save-progress');
    expect(screen.getByTestId('scoring-impact').dataset.state).toBe('saving');
    expect(progress.textContent).toContain('バックアップしています');
    await emit('scoring-save-progress', { phase: 'backup', done: 30, total: 120 });
    await waitFor(() => expect(within(progress).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('25'));
    await emit('scoring-save-progress', { phase: 'rescoring', done: 8192, total: 32768 });
    await waitFor(() => expect(screen.getByTestId('scoring-save-progress').textContent).toContain('スコアを書き込んでいます（8,192 / 32,768件）'));
    expect(within(screen.getByTestId('scoring-save-progress')).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('25');
    await emit('scoring-save-progress', { phase: 'rescoring', done: 32768, total: 32768 });
    await waitFor(() => expect(screen.getByTestId('scoring-save-progress').textContent).toContain('索引を更新して保存しています'));
    finish();
    const done = await screen.findByTestId('scoring-saved');
    expect(done.textContent).toContain('300件のリードのスコアを更新');
    expect(screen.queryByTestId('scoring-save-progress')).toBeNull();
    // A late event from the finished save changes nothing.
    await emit('scoring-save-progress', { phase: 'rescoring', done: 32768, total: 32768 });
    expect(screen.queryByTestId('scoring-save-progress')).toBeNull();
  });
});
