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
});
