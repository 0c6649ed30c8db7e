/**
 * The dashboard's charts as ECharts options, and their data as CSV: pure functions of the
 * figures, so what a chart shows is tested without a canvas. Colours come from the app's
 * palette; labels are printed on the bars (DESIGN.md: no 3D, no gradients, values shown).
 */

import type { ChannelRow, EmailMonth, FunnelStep, TrendPoint } from '../ipc';

export const COLORS = {
  indigo: '#4f46e5',
  sky: '#0ea5e9',
  teal: '#14b8a6',
  amber: '#f59e0b',
  slate: '#64748b',
} as const;

/** The font stack of the app, for canvas text (Japanese first). */
export const CHART_FONT =
  "'Noto Sans JP', 'Noto Sans CJK JP', 'Hiragino Sans', 'Hiragino Kaku Gothic ProN', 'Yu Gothic UI', Meiryo, sans-serif";

/** What a click on a chart element stands for: the index of the funnel step, trend bucket,
 * source row or month. */
export interface ChartClick {
  index: number;
  series: string;
}

type Labels = (key: string) => string;

const axisText = { color: '#52525b', fontFamily: CHART_FONT, fontSize: 11 };

function base() {
  return {
    animation: false,
    textStyle: { fontFamily: CHART_FONT },
    tooltip: { trigger: 'axis' as const, textStyle: { fontFamily: CHART_FONT } },
    grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
  };
}

/** Horizontal bars, one per funnel stage, widest at the top: reached, with the value and
 * the share of the first stage printed (`share(value, percent)` writes both). */
export function funnelOption(
  steps: FunnelStep[],
  stageLabel: Labels,
  format: (n: number) => string,
  share: (value: string, percent: number) => string = (v, p) => `${v} (${p}%)`,
) {
  const first = steps[0]?.reached ?? 0;
  const names = steps.map((s) => stageLabel(s.stage));
  return {
    ...base(),
    // Room on the right for the printed value and share.
    grid: { ...base().grid, right: 96 },
    tooltip: { ...base().tooltip, axisPointer: { type: 'shadow' as const } },
    xAxis: { type: 'value' as const, axisLabel: axisText, splitLine: { lineStyle: { color: '#f1f1f3' } } },
    yAxis: { type: 'category' as const, data: names, inverse: true, axisLabel: { ...axisText, fontSize: 12 } },
    series: [
      {
        name: 'reached',
        type: 'bar' as const,
        data: steps.map((s) => s.reached),
        barWidth: '60%',
        itemStyle: { color: COLORS.indigo, borderRadius: [0, 3, 3, 0] },
        label: {
          show: true,
          position: 'right' as const,
          fontFamily: CHART_FONT,
          color: '#27272a',
          formatter: (p: { value: number }) =>
            first > 0 ? share(format(p.value), Math.round((p.value / first) * 1000) / 10) : format(p.value),
        },
      },
    ],
  };
}

/** Bars of new leads, MQLs and wins per week or month. */
export function trendOption(points: TrendPoint[], seriesLabel: Labels, bucketLabel: (p: TrendPoint) => string) {
  const series = (key: 'newLeads' | 'mqls' | 'wins', color: string) => ({
    name: seriesLabel(key),
    type: 'bar' as const,
    data: points.map((p) => p[key]),
    itemStyle: { color },
    label: { show: points.length <= 13, position: 'top' as const, fontFamily: CHART_FONT, fontSize: 10, color: '#52525b' },
  });
  return {
    ...base(),
    grid: { ...base().grid, top: 36 },
    legend: { top: 0, textStyle: { fontFamily: CHART_FONT } },
    xAxis: { type: 'category' as const, data: points.map(bucketLabel), axisLabel: axisText },
    yAxis: { type: 'value' as const, axisLabel: axisText, splitLine: { lineStyle: { color: '#f1f1f3' } } },
    series: [series('newLeads', COLORS.slate), series('mqls', COLORS.indigo), series('wins', COLORS.teal)],
  };
}

/** Open and click rates per month (percent), for the months that had sends. */
export function emailOption(months: EmailMonth[], seriesLabel: Labels, monthLabel: (m: EmailMonth) => string) {
  const pct = (r: number | null) => (r === null ? null : Math.round(r * 1000) / 10);
  const line = (key: 'openRate' | 'clickRate', color: string) => ({
    name: seriesLabel(key),
    type: 'line' as const,
    data: months.map((m) => pct(m[key])),
    connectNulls: false,
    itemStyle: { color },
    label: { show: true, position: 'top' as const, fontFamily: CHART_FONT, fontSize: 10, formatter: '{c}%' },
  });
  return {
    ...base(),
    grid: { ...base().grid, top: 36 },
    legend: { top: 0, textStyle: { fontFamily: CHART_FONT } },
    xAxis: { type: 'category' as const, data: months.map(monthLabel), axisLabel: axisText },
    yAxis: { type: 'value' as const, axisLabel: { ...axisText, formatter: '{value}%' }, splitLine: { lineStyle: { color: '#f1f1f3' } } },
    series: [line('openRate', COLORS.sky), line('clickRate', COLORS.amber)],
  };
}

/** Leads per source, with how many reached MQL and 受注. */
export function sourceOption(rows: ChannelRow[], sourceLabel: Labels, seriesLabel: Labels) {
  const bar = (key: 'leads' | 'mql' | 'won', color: string) => ({
    name: seriesLabel(key),
    type: 'bar' as const,
    data: rows.map((r) => r[key]),
    itemStyle: { color },
    label: { show: true, position: 'right' as const, fontFamily: CHART_FONT, fontSize: 10, color: '#52525b' },
  });
  return {
    ...base(),
    tooltip: { ...base().tooltip, axisPointer: { type: 'shadow' as const } },
    grid: { ...base().grid, top: 36, right: 40 },
    legend: { top: 0, textStyle: { fontFamily: CHART_FONT } },
    xAxis: { type: 'value' as const, axisLabel: axisText, splitLine: { lineStyle: { color: '#f1f1f3' } } },
    yAxis: { type: 'category' as const, data: rows.map((r) => sourceLabel(r.key)), inverse: true, axisLabel: axisText },
    series: [bar('leads', COLORS.slate), bar('mql', COLORS.indigo), bar('won', COLORS.teal)],
  };
}

/** One CSV cell: quoted when needed, and text that a spreadsheet would run as a formula
 * (leading = + - @, tab or CR) prefixed with an apostrophe. Numbers stay numbers. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A table as CSV text with a BOM (so Excel reads the Japanese as UTF-8) and CRLF lines. */
export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  const lines = [header, ...rows].map((r) => r.map(csvCell).join(','));
  return '\ufeff' + lines.join('\r\n') + '\r\n';
}
