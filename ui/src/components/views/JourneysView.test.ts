import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import type { JourneyDoc, JourneyMap, LeadQuery } from '../../lib/ipc';
import { navigate } from '../../lib/router.svelte';
import { appError, leadPage, mockCommands, READY } from '../../test/fixtures';
import App from './App.svelte';

function doc(): JourneyDoc {
  return {
    stages: ['認知', '興味', '比較', '検討', '購入', '継続'].map((name, i) => ({ id: `s${i + 1}`, name, emotion: 0, binding: i === 1 ? { segment: 7 } : null, steps: [] })),
    lanes: [
      { id: 'l1', kind: 'actions', name: '', cells: { s1: '展示会で名刺交換' } },
      { id: 'l2', kind: 'feelings', name: '', cells: {} },
    ],
  };
}

const persona = { id: 1, name: '情シス部長 佐藤さん', role: '部長', companyProfile: '', demographics: '', psychographics: '', challenges: '', goals: '', informationSources: '', icon: '' };

function opened(issues: JourneyMap['issues'] = []): JourneyMap {
  return { id: 3, name: '新規開拓', persona, template: 'b2b', doc: doc(), issues, updatedAt: '2026-11-20T00:00:00Z' };
}

function metrics(issues: JourneyMap['issues'] = []) {
  return {
    stages: doc().stages.map((s, i) => ({ id: s.id, name: s.name, bound: i === 1, count: i === 1 ? 1234 : null, entered: i === 1 ? 2000 : 0, conversion: i === 1 ? 0.25 : null, medianDays: i === 1 ? 12.5 : null })),
    issues,
    refresh: { refreshed: issues.length === 0, entered: 0, exited: 0, matched: [], ms: 5 },
    ms: 10,
  };
}

function backend(extra: Record<string, (args: Record<string, unknown>) => unknown> = {}) {
  return mockCommands({
    app_status: READY(1200),
    lead_list: (args) => leadPage(args.query as LeadQuery, 1200),
    journey_list: () => [{ id: 3, name: '新規開拓', personaId: 1, personaName: persona.name, template: 'b2b', stages: doc().stages.map((s) => ({ id: s.id, name: s.name })), updatedAt: '' }],
    persona_list: () => [persona],
    journey_templates: () => [{ code: 'b2b', stagesJa: ['認知', '興味'], stagesEn: ['Awareness', 'Interest'] }],
    segment_list: () => [{ id: 7, name: 'MQL', kind: 'dynamic', filter: {}, memberCount: null, frozenFrom: null, createdAt: '', updatedAt: '' }],
    journey_get: () => opened(),
    journey_metrics: () => metrics(),
    ...extra,
  });
}

async function openJourneys() {
  navigate('/journeys');
  render(App);
  return screen.findByTestId('journey-grid');
}

describe('journey map editor', () => {
  it('shows the stages with their live count, conversion and median days', async () => {
    backend();
    await openJourneys();
    const stages = await screen.findAllByTestId('journey-stage');
    expect(stages.map((s) => (s.querySelector('input') as HTMLInputElement).value)).toEqual(['認知', '興味', '比較', '検討', '購入', '継続']);
    await waitFor(() => expect(stages[1]!.textContent).toContain('1,234件'));
    expect(stages[1]!.textContent).toContain('→ 25.0%');
    expect(stages[1]!.textContent).toContain('12.5日');
    expect(stages[0]!.textContent).toContain('未設定');
  });

  it('moves the emotion curve with the keyboard, and undo puts it back', async () => {
    backend();
    await openJourneys();
    const point = (await screen.findAllByTestId('emotion-point'))[0]!;
    await fireEvent.keyDown(point, { key: 'ArrowUp' });
    await waitFor(() => expect(screen.getAllByTestId('emotion-point')[0]!.getAttribute('data-emotion')).toBe('1'));
    expect((screen.getByTestId('journey-save') as HTMLButtonElement).disabled).toBe(false);
    await fireEvent.click(screen.getByTestId('journey-undo'));
    await waitFor(() => expect(screen.getAllByTestId('emotion-point')[0]!.getAttribute('data-emotion')).toBe('0'));
  });

  it('explains a deleted segment and still opens the map', async () => {
    const issue = { field: 'stages[1]!.binding.segment', code: 'unknown_segment', message: '興味: segment 7 does not exist', row: null };
    backend({ journey_get: () => opened([issue]), journey_metrics: () => metrics([issue]) });
    await openJourneys();
    const issues = await screen.findByTestId('journey-issues');
    expect(issues.textContent).toContain('興味: 結び付けたセグメントが削除されています');
    expect(screen.getAllByTestId('journey-stage')).toHaveLength(6);
  });

  it('refuses a rule that is not JSON, next to the field', async () => {
    backend();
    await openJourneys();
    const open = await screen.findAllByTestId('journey-stage-open');
    await fireEvent.click(open[2]!);
    const mode = await screen.findByTestId('journey-binding-mode');
    await fireEvent.change(mode, { target: { value: 'rule' } });
    const rule = await screen.findByTestId('journey-binding-rule');
    await fireEvent.input(rule, { target: { value: '{"field": ' } });
    await fireEvent.change(rule);
    expect((await screen.findByTestId('journey-rule-error')).textContent).toContain('JSON として読み取れません');
  });

  it('shows a negative step offset refused by the core at its stage', async () => {
    const issue = { field: 'stages[1]!.steps[0]!.dayOffset', code: 'negative_offset', message: 'negative', row: null };
    const { argsOf } = backend({
      journey_save: () => {
        throw appError('invalid', 'invalid input', [issue]);
      },
    });
    await openJourneys();
    const open = await screen.findAllByTestId('journey-stage-open');
    await fireEvent.click(open[1]!);
    await fireEvent.click(await screen.findByTestId('journey-add-step'));
    const day = await screen.findByTestId('journey-step-day');
    await fireEvent.change(day, { target: { value: '-3' } });
    await fireEvent.click(screen.getByTestId('journey-save'));
    const issues = await screen.findByTestId('journey-save-issues');
    expect(issues.textContent).toContain('興味: ステップの日数がマイナスです');
    const sent = argsOf('journey_save')[0]!.doc as JourneyDoc;
    expect(sent.stages[1]!.steps[0]!.dayOffset).toBe(-3);
  });
});
