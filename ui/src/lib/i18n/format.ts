/** Locale-aware formatting of numbers, dates and Japanese names for display. */

import { localeState, type Locale } from './locale.svelte';
import { numberFormat, t } from './index';

const dateFormats = new Map<string, Intl.DateTimeFormat>();

function dateFormat(locale: Locale, withTime: boolean): Intl.DateTimeFormat {
  const cacheKey = `${locale}:${withTime}`;
  let format = dateFormats.get(cacheKey);
  if (!format) {
    const time: Intl.DateTimeFormatOptions = withTime ? { hour: '2-digit', minute: '2-digit' } : {};
    format =
      locale === 'ja'
        ? new Intl.DateTimeFormat('ja-JP', { year: 'numeric', month: '2-digit', day: '2-digit', ...time })
        : new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric', ...time });
    dateFormats.set(cacheKey, format);
  }
  return format;
}

export function formatNumber(value: number): string {
  return numberFormat(localeState.current).format(value);
}

/** Stored timestamps are UTC ISO-8601 ('2026-11-22T10:00:00Z'); a bare date is a day. */
function parseTimestamp(value: string): Date | null {
  if (!value) return null;
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00` : value;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** 2026/11/22 in Japanese, Nov 22, 2026 in English (the user's time zone). */
export function formatDate(value: string): string {
  const date = parseTimestamp(value);
  return date ? dateFormat(localeState.current, false).format(date) : value;
}

/** 2026/11/22 14:30 in Japanese, Nov 22, 2026, 02:30 PM in English. */
export function formatDateTime(value: string): string {
  const date = parseTimestamp(value);
  return date ? dateFormat(localeState.current, true).format(date) : value;
}

/** Family name first, as Japanese business cards and tools show it: 「山田 太郎」. */
export function personName(familyName: string, givenName: string): string {
  return [familyName.trim(), givenName.trim()].filter(Boolean).join(' ');
}

/** The display name, or a clear marker when a lead has no name (company-only records). */
export function displayName(familyName: string, givenName: string): string {
  return personName(familyName, givenName) || t('lead.unnamed');
}

/** Scores are whole points; a missing score (never computed) shows as a dash. */
/** Scores are kept to 0.1: 42, 13.7 (a dash when never computed). */
export function formatScore(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '—' : formatNumber(Math.round(value * 10) / 10);
}

/** A stored postal code (7 digits) as written: 〒100-0005. Other values are shown as they are. */
export function formatPostalCode(code: string): string {
  const digits = code.replace(/\D/g, '');
  return digits.length === 7 ? `〒${digits.slice(0, 3)}-${digits.slice(3)}` : code;
}
