/**
 * How the dashboard writes its figures: rates as percentages, trend buckets as dates, and
 * what a clicked number stands for (the leads the side panel lists).
 */

import type { TrendBucket, TrendPoint } from '../ipc';
import { localeState } from '../i18n/locale.svelte';

/** A number of the dashboard, as the leads behind it (see `dashboard::DrillQuery`). */
export interface DrillTarget {
  title: string;
  stage?: string;
  current?: boolean;
  event?: number;
  source?: string;
  dormant?: boolean;
  dayFrom?: string;
  dayTo?: string;
}

/** 0.4567 → "45.7%"; no rate → "—". */
export function percent(rate: number | null): string {
  if (rate === null) return '—';
  return `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

/** A calendar day (YYYY-MM-DD) as the locale writes it, without time-zone shifts. */
export function formatDay(day: string, withYear = true): string {
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return day;
  if (localeState.current === 'ja') return withYear ? `${y}/${m}/${d}` : `${m}/${d}`;
  const month = new Date(Date.UTC(y, m - 1, d)).toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  return withYear ? `${month} ${d}, ${y}` : `${month} ${d}`;
}

/** A trend bucket's axis label: "2026/11" (month) or "11/16〜" (the Monday of a week). */
export function bucketLabel(point: TrendPoint, bucket: TrendBucket): string {
  if (bucket === 'week') return `${formatDay(point.start, false)}〜`;
  return monthLabel(point.start.slice(0, 7));
}

/** A month (YYYY-MM) as the locale writes it: "2026/11", "Nov 2026". */
export function monthLabel(month: string): string {
  const [y, m] = month.split('-');
  if (localeState.current === 'ja') return `${y}/${Number(m)}`;
  const name = new Date(Date.UTC(Number(y), Number(m) - 1, 1)).toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  return `${name} ${y}`;
}
