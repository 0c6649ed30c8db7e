import { describe, expect, it } from 'vitest';
import type { FunnelStep, TrendPoint } from '../ipc';
import { csvCell, funnelOption, toCsv } from './charts';
import { bucketLabel, formatDay, percent } from './figures';
import { setLocale } from '../i18n/locale.svelte';

const step = (stage: string, reached: number): FunnelStep => ({ stage, reached, current: 0, conversion: null, medianDays: null });

describe('dashboard charts and figures', () => {
  it('prints each funnel bar with its count and its share of the first stage', () => {
    const option = funnelOption([step('lead', 2000), step('mql', 500), step('won', 0)], (s) => s.toUpperCase(), String, (v, p) => `${v}（${p}%）`);
    expect(option.yAxis.data).toEqual(['LEAD', 'MQL', 'WON']);
    expect(option.series[0]?.data).toEqual([2000, 500, 0]);
    const label = option.series[0]?.label.formatter;
    expect(label?.({ value: 500 })).toBe('500（25%）');
    expect(label?.({ value: 0 })).toBe('0（0%）');
    expect(funnelOption([step('lead', 3)], String, String).series[0]?.label.formatter({ value: 1 })).toBe('1 (33.3%)');
    const empty = funnelOption([step('lead', 0)], String, String);
    expect(empty.series[0]?.label.formatter({ value: 0 })).toBe('0');
  });

  it('writes CSV that Excel reads as UTF-8 and cannot run as formulas', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+81-3-1234')).toBe("'+81-3-1234");
    expect(csvCell('-5')).toBe("'-5");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell('展示会, 東京')).toBe('"展示会, 東京"');
    expect(csvCell(null)).toBe('');
    const csv = toCsv(['ステージ', '到達'], [['MQL', 906]]);
    expect(csv.startsWith('\ufeff')).toBe(true);
    expect(csv).toBe('\ufeffステージ,到達\r\nMQL,906\r\n');
  });

  it('writes rates, days and trend buckets the way each language does', () => {
    expect(percent(0.33333)).toBe('33.3%');
    expect(percent(1)).toBe('100.0%');
    expect(percent(null)).toBe('—');
    const week: TrendPoint = { start: '2026-11-16', end: '2026-11-22', newLeads: 1, mqls: 0, wins: 0 };
    const month: TrendPoint = { start: '2026-11-01', end: '2026-11-30', newLeads: 1, mqls: 0, wins: 0 };
    setLocale('ja');
    expect(formatDay('2026-11-03')).toBe('2026/11/3');
    expect(bucketLabel(week, 'week')).toBe('11/16〜');
    expect(bucketLabel(month, 'month')).toBe('2026/11');
    setLocale('en');
    expect(formatDay('2026-11-03')).toBe('Nov 3, 2026');
    expect(bucketLabel(month, 'month')).toBe('Nov 2026');
    setLocale('ja');
  });
});
