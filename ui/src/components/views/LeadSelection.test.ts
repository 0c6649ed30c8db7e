import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import type { ActivityInput, LeadQuery } from '../../lib/ipc';
import { navigate } from '../../lib/router.svelte';
import { leadPage, mockCommands, READY } from '../../test/fixtures';
import App from './App.svelte';

const catalogue = () => ({
  fitFields: [],
  activityTypes: [
    { id: 14, code: 'call', labelJa: '電話', labelEn: 'Call', builtin: true },
    { id: 5, code: 'seminar_attended', labelJa: 'セミナー参加', labelEn: 'Seminar attended', builtin: true },
  ],
  defaultModel: null,
});

describe('lead selection', () => {
  it('ticks leads (Shift extends) and logs one activity on all of them', async () => {
    const ipc = mockCommands({
      app_status: READY(50),
      lead_list: (args) => leadPage(args.query as LeadQuery, 50),
      scoring_catalogue: catalogue,
      activity_add_to_leads: (args) => (args.leads as number[]).length,
    });
    navigate('/leads');
    render(App);
    await waitFor(() => expect(screen.getAllByTestId('lead-row-select').length).toBeGreaterThan(5));
    const boxes = () => screen.getAllByTestId('lead-row-select');
    await fireEvent.click(boxes()[1]!);
    await fireEvent.click(boxes()[3]!, { shiftKey: true });
    const bar = await screen.findByTestId('lead-selection');
    expect(bar.textContent).toContain('3件を選択中');
    expect(location.hash).toBe('#/leads'); // ticking does not open a lead

    await fireEvent.click(within(bar).getByTestId('lead-selection-log'));
    const form = await screen.findByTestId('log-activity-form');
    await waitFor(() => expect((within(form).getByTestId('log-activity-type') as HTMLSelectElement).options.length).toBe(2));
    const type = within(form).getByTestId('log-activity-type') as HTMLSelectElement;
    type.value = 'seminar_attended';
    await fireEvent.change(type);
    await fireEvent.input(within(form).getByTestId('log-activity-detail'), { target: { value: '製造業DXセミナー' } });
    await fireEvent.click(within(form).getByTestId('log-activity-save'));
    await waitFor(() => expect(ipc.argsOf('activity_add_to_leads')).toHaveLength(1));
    const args = ipc.argsOf('activity_add_to_leads')[0] as { leads: number[]; input: ActivityInput };
    expect([...args.leads].sort((a, b) => a - b)).toEqual([2, 3, 4]);
    expect(args.input).toMatchObject({ activityType: 'seminar_attended', detail: '製造業DXセミナー', occurredAt: null });
    await waitFor(() => expect(screen.queryByTestId('lead-selection')).toBeNull());
    expect(document.body.textContent).toContain('3件のリードに活動を記録しました');
  });

  it('limits the list to a segment and tags all its members, and deletes after naming the count', async () => {
    const segment = { id: 7, name: 'IT部長', kind: 'dynamic', filter: { all: [] }, memberCount: null, frozenFrom: null, createdAt: '', updatedAt: '' };
    const ipc = mockCommands({
      app_status: READY(50),
      lead_list: (args) => {
        const q = args.query as LeadQuery;
        return leadPage(q, q.segment === 7 ? 12 : 50);
      },
      segment_list: () => [segment],
      lead_bulk: (args) => {
        const action = args.action as { kind: string };
        return action.kind === 'delete'
          ? { leads: 12, changed: 12, backup: { path: '/backups/sodate-bulk-delete.db', bytes: 1 } }
          : { leads: 12, changed: 10, backup: null };
      },
    });
    navigate('/leads');
    render(App);
    const picker = (await screen.findByTestId('lead-segment')) as HTMLSelectElement;
    await waitFor(() => expect(picker.options.length).toBe(2));
    picker.value = '7';
    await fireEvent.change(picker);
    await waitFor(() => expect(screen.getByTestId('lead-segment-scope').textContent).toBe('セグメント「IT部長」の12件'));
    expect(ipc.argsOf('lead_list').at(-1)).toMatchObject({ query: { segment: 7 } });

    await fireEvent.click(screen.getByTestId('lead-bulk-tag'));
    await fireEvent.input(screen.getByTestId('lead-bulk-value'), { target: { value: '重点顧客' } });
    await fireEvent.click(screen.getByTestId('lead-bulk-apply'));
    await waitFor(() => expect(ipc.argsOf('lead_bulk')).toHaveLength(1));
    expect(ipc.argsOf('lead_bulk')[0]).toEqual({ target: { kind: 'segment', id: 7 }, action: { kind: 'addTag', value: '重点顧客' }, confirmed: null });
    await waitFor(() => expect(document.body.textContent).toContain('12件に適用しました（変更 10件）'));

    await fireEvent.click(screen.getByTestId('lead-bulk-delete'));
    expect(document.body.textContent).toContain('12件のリードを削除しますか？');
    await fireEvent.click(screen.getByText('12件を削除'));
    await waitFor(() => expect(ipc.argsOf('lead_bulk')).toHaveLength(2));
    expect(ipc.argsOf('lead_bulk')[1]).toEqual({ target: { kind: 'segment', id: 7 }, action: { kind: 'delete' }, confirmed: 12 });
    await waitFor(() => expect(document.body.textContent).toContain('12件のリードを削除しました。バックアップ: /backups/sodate-bulk-delete.db'));
  });
});
