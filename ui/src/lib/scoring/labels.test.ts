import { describe, expect, it } from 'vitest';
import type { ExplainLine } from '../ipc';
import { freshRuleId, localIssues } from './draft';
import { sourceText } from './labels';

function line(overrides: Partial<ExplainLine>): ExplainLine {
  return {
    rule: '', ruleEn: '', ruleId: 'r', score: 'engagement', points: 1, source: 'raw source', activityIds: [],
    activityType: null, count: 0, latestAt: null, detail: null, field: null, value: null, capped: false,
    ...overrides,
  };
}

describe('explanation sources', () => {
  it('word activities and fields in Japanese', () => {
    expect(sourceText(line({ activityType: 'document_request', count: 1, latestAt: '2026-05-05T03:00:00Z', detail: 'ホワイトペーパー' }))).toBe(
      '資料請求 · 2026/05/05 · ホワイトペーパー',
    );
    expect(sourceText(line({ activityType: 'page_view', count: 3, latestAt: '2026-10-22T00:00:00Z', capped: true }))).toBe(
      'Webページ閲覧 ×3 · 最新 2026/10/22 · 上限で打ち切り',
    );
    expect(sourceText(line({ field: 'title', value: '営業部長' }), [{ code: 'title', labelJa: '役職', labelEn: 'Title' }])).toBe('役職 = 営業部長');
    expect(sourceText(line({ field: 'custom.budget', value: '500' }))).toBe('カスタム: budget = 500');
    expect(sourceText(line({ ruleId: 'cap.engagement' }))).toBe('raw source');
  });
});

describe('draft checks', () => {
  it('find empty numbers and give new rules unused ids', () => {
    const model = {
      version: 1,
      behaviourRules: [{ id: 'page_view', label: { ja: '', en: '' }, activityType: 'page_view', detail: null, points: null as unknown as number, repeat: 'repeatable' as const, cap: null }],
      fitRules: [],
      decay: { kind: 'half_life' as const, days: null },
      engagementCap: null,
      fitCap: null,
      mql: { engagement: 60, fit: 30 },
      grades: { fit: [60, 40, 20] as [number, number, number], engagement: [60, 40, null] as [number, number, number | null] },
    };
    expect(localIssues(model).map((i) => i.path)).toEqual(['behaviourRules[0].points', 'decay.days', 'grades.engagement[2]']);
    expect(freshRuleId(model, 'page_view')).toBe('page_view_2');
    expect(freshRuleId(model, 'Seminar attended')).toBe('seminar_attended');
  });
});
