import { describe, expect, it } from 'vitest';
import { leadDetail } from '../../test/fixtures';
import { defaultChoices, fieldLabel, reasonText } from './merge';
import { reviewQueue } from './queue.svelte';

describe('merge defaults', () => {
  it('take the merged value only when the survivor has none or the merged lead is newer', () => {
    const older = leadDetail(1, { title: '課長', mobile: '', department: '', updatedAt: '2026-01-01T00:00:00Z' }).lead;
    const newer = leadDetail(2, { title: '部長', mobile: '090-1111-2222', department: '', updatedAt: '2026-05-01T00:00:00Z' }).lead;
    const keepOlder = defaultChoices(older, newer);
    expect(keepOlder.title).toBe('merged');
    expect(keepOlder.mobile).toBe('merged');
    expect(keepOlder.department).toBe('survivor');
    const keepNewer = defaultChoices(newer, older);
    expect(keepNewer.title).toBe('survivor');
    expect(keepNewer.mobile).toBe('survivor');
  });

  it('compare companies by name, not by reading', () => {
    const a = leadDetail(1, { companyName: 'サンプル株式会社', companyReading: '', updatedAt: '2026-01-01T00:00:00Z' }).lead;
    const b = leadDetail(2, { companyName: 'サンプル株式会社', companyReading: 'さんぷる', updatedAt: '2026-05-01T00:00:00Z' }).lead;
    expect(defaultChoices(a, b).company).toBe('survivor');
  });
});

describe('reasons', () => {
  it('are told in Japanese with their values, and fall back to the English message', () => {
    expect(reasonText({ code: 'same_reading', points: 15, params: { reading: 'たかはし ひろし' }, message: '' })).toBe('よみが一致（たかはし ひろし）');
    expect(reasonText({ code: 'family_name_variant', points: 5, params: { a: '斉藤', b: '齋藤', reading: '' }, message: '' })).toContain('読み未確認');
    expect(reasonText({ code: 'brand_new_rule', points: 5, params: {}, message: 'some new evidence' })).toBe('some new evidence');
  });
});

describe('bulk merge count', () => {
  it('joins pairs into groups and counts the leads merged away', () => {
    reviewQueue.pairs = [
      { a: 1, b: 2, aName: '', bName: '', confidence: 95, reasons: [] },
      { a: 2, b: 3, aName: '', bName: '', confidence: 91, reasons: [] },
      { a: 7, b: 8, aName: '', bName: '', confidence: 90, reasons: [] },
      { a: 8, b: 9, aName: '', bName: '', confidence: 60, reasons: [] },
    ];
    expect(reviewQueue.bulkCount(90)).toEqual({ clusters: 2, leads: 3 });
    expect(reviewQueue.bulkCount(95)).toEqual({ clusters: 1, leads: 1 });
    expect(reviewQueue.bulkCount(50)).toEqual({ clusters: 2, leads: 4 });
    expect(reviewQueue.bulkCount(99)).toEqual({ clusters: 0, leads: 0 });
  });
});

describe('field labels', () => {
  it('name columns and merge fields in the user language', () => {
    expect(fieldLabel('title')).toBe('役職');
    expect(fieldLabel('company_id')).toBe('会社名');
    expect(fieldLabel('tags')).toBe('タグ');
    expect(fieldLabel('lifecycle_stage')).toBe('ステージ');
    expect(fieldLabel('mystery_column')).toBe('mystery_column');
  });
});
