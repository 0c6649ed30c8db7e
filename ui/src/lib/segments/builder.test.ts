import { describe, expect, it } from 'vitest';
import type { FieldInfo } from '../ipc';
import { fromFilter, toFilter, type BuilderNode } from './builder';

const fields: FieldInfo[] = [
  { code: 'title', type: 'text', ops: ['eq', 'contains', 'in', 'empty'], values: [], closed: false },
  { code: 'company.industry', type: 'text', ops: ['eq', 'contains'], values: [], closed: false },
  { code: 'engagement_score', type: 'number', ops: ['gte', 'between'], values: [], closed: false },
  { code: 'created_at', type: 'date', ops: ['within_days'], values: [], closed: false },
];

describe('segment builder', () => {
  it('builds the issue example as filter JSON, and reads it back', () => {
    const tree: BuilderNode = {
      kind: 'group',
      mode: 'all',
      negate: false,
      children: [
        { kind: 'field', field: 'company.industry', op: 'eq', value: ' IT・通信 ', value2: '' },
        {
          kind: 'group',
          mode: 'any',
          negate: false,
          children: [
            { kind: 'field', field: 'title', op: 'contains', value: '部長', value2: '' },
            { kind: 'field', field: 'title', op: 'contains', value: '取締役', value2: '' },
          ],
        },
        { kind: 'activity', type: 'seminar_attended', minCount: 1, maxCount: null, withinDays: 90 },
      ],
    };
    const json = toFilter(tree, fields);
    expect(json).toEqual({
      all: [
        { field: 'company.industry', op: 'eq', value: 'IT・通信' },
        { any: [{ field: 'title', op: 'contains', value: '部長' }, { field: 'title', op: 'contains', value: '取締役' }] },
        { activity: { type: 'seminar_attended', min_count: 1, within_days: 90 } },
      ],
    });
    expect(toFilter(fromFilter(json), fields)).toEqual(json);
  });

  it('converts values by type: numbers, lists, ranges, days, none; negation; references', () => {
    const tree: BuilderNode = {
      kind: 'group',
      mode: 'any',
      negate: true,
      children: [
        { kind: 'field', field: 'engagement_score', op: 'gte', value: '60', value2: '' },
        { kind: 'field', field: 'engagement_score', op: 'between', value: '10', value2: '20' },
        { kind: 'field', field: 'title', op: 'in', value: '部長、 取締役,社長', value2: '' },
        { kind: 'field', field: 'created_at', op: 'within_days', value: '30', value2: '' },
        { kind: 'field', field: 'title', op: 'empty', value: 'ignored', value2: '' },
        { kind: 'activity', type: '', minCount: null, maxCount: 0, withinDays: 180 },
        { kind: 'segment', segment: 4 },
        { kind: 'journey', map: 3, stage: 's2' },
        { kind: 'journey', map: 3, stage: '' },
      ],
    };
    const json = toFilter(tree, fields);
    expect(json).toEqual({
      not: {
        any: [
          { field: 'engagement_score', op: 'gte', value: 60 },
          { field: 'engagement_score', op: 'between', value: [10, 20] },
          { field: 'title', op: 'in', value: ['部長', '取締役', '社長'] },
          { field: 'created_at', op: 'within_days', value: 30 },
          { field: 'title', op: 'empty' },
          { activity: { max_count: 0, within_days: 180 } },
          { segment: 4 },
          { journey: { map: 3, stage: 's2' } },
          { journey: { map: 3 } },
        ],
      },
    });
    expect(toFilter(fromFilter(json), fields)).toEqual(json);
    // Every node read back has its own id (for dragging), never sent in the filter.
    const read = fromFilter(json);
    const ids = read.kind === 'group' ? [read.id, ...read.children.map((c) => c.id)] : [];
    expect(new Set(ids).size).toBe(10);
    expect(JSON.stringify(json)).not.toContain('"id"');
    // A value that is not a number is sent as typed: the Rust side names the node at fault.
    expect(toFilter({ kind: 'field', field: 'engagement_score', op: 'gte', value: 'abc', value2: '' }, fields)).toEqual({
      field: 'engagement_score',
      op: 'gte',
      value: 'abc',
    });
  });
});
