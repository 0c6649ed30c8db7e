import { describe, expect, it } from 'vitest';
import ja from '../../../messages/ja.json';
import en from '../../../messages/en.json';
import { LIFECYCLE_STAGES, LEAD_SOURCES, LEAD_FORM_ORDER } from '../leads/leadInput';
import { hasMessage, t, tOr } from './index';
import { formatDate, formatDateTime, formatNumber, formatScore, displayName } from './format';
import { detectLocale, setLocale } from './locale.svelte';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogues', () => {
  it('ja and en have exactly the same keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ja).sort());
  });

  it('have no empty values', () => {
    for (const [key, value] of [...Object.entries(ja), ...Object.entries(en)]) {
      expect(value.trim(), key).not.toBe('');
    }
  });

  it('use the same {param} placeholders in both languages', () => {
    for (const key of Object.keys(ja) as (keyof typeof ja)[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(ja[key]));
    }
  });

  it('translate every lifecycle stage, activity type, source and form field', () => {
    const activities = [
      'booth_visit', 'card_exchange', 'document_request', 'seminar_registered', 'seminar_attended',
      'webinar_registered', 'webinar_attended', 'email_sent', 'email_opened', 'email_clicked',
      'email_bounced', 'email_unsubscribed', 'page_view', 'call', 'meeting', 'note',
    ];
    const keys = [
      ...LIFECYCLE_STAGES.map((s) => `lifecycle.${s}`),
      ...activities.map((a) => `activity.${a}`),
      ...LEAD_SOURCES.map((s) => `source.${s}`),
      ...LEAD_FORM_ORDER.map((f) => `lead.field.${f}`),
      ...['invalid_email', 'invalid_phone', 'invalid_postal_code', 'required', 'too_long'].map((c) => `error.${c}`),
      ...['not_found', 'invalid', 'db_newer', 'db_corrupt', 'db_locked', 'db_unreadable', 'conflict', 'cancelled', 'internal'].map((c) => `errorCode.${c}`),
    ];
    for (const key of keys) expect(hasMessage(key), key).toBe(true);
  });

  it('writes the Japanese lifecycle stages as the brief names them', () => {
    setLocale('ja', false);
    expect(LIFECYCLE_STAGES.map((s) => tOr(`lifecycle.${s}`, s))).toEqual([
      '購読者', 'リード', 'MQL', 'SAL', 'SQL', '商談', '受注', '失注', 'リサイクル', '対象外',
    ]);
  });
});

describe('t()', () => {
  it('fills placeholders and formats numbers for the locale', () => {
    setLocale('ja', false);
    expect(t('leads.total', { count: 1234567 })).toBe('1,234,567件');
    expect(t('lead.activity.truncated', { total: 340, shown: 200 })).toBe('340件中200件を表示');
    setLocale('en', false);
    expect(t('leads.total', { count: 2000 })).toBe('2,000 leads');
    expect(t('lead.activity.truncated', { total: 340, shown: 200 })).toBe('Showing 200 of 340');
  });

  it('falls back for codes without a message', () => {
    setLocale('ja', false);
    expect(tOr('activity.custom_thing', 'Custom thing')).toBe('Custom thing');
    expect(tOr('activity.call', 'Call')).toBe('電話');
  });
});

describe('formatting', () => {
  it('formats dates as 2026/11/22 in Japanese and Nov 22, 2026 in English', () => {
    setLocale('ja', false);
    expect(formatDate('2026-11-22')).toBe('2026/11/22');
    setLocale('en', false);
    expect(formatDate('2026-11-22')).toBe('Nov 22, 2026');
  });

  it('formats date-times and numbers', () => {
    setLocale('ja', false);
    expect(formatDateTime('2026-11-22T10:05:00')).toBe('2026/11/22 10:05');
    expect(formatNumber(1000000)).toBe('1,000,000');
  });

  it('shows scores to 0.1, as they are computed, and a dash for a missing one', () => {
    expect(formatScore(41.6)).toBe('41.6');
    expect(formatScore(42)).toBe('42');
    expect(formatScore(13.66)).toBe('13.7');
    expect(formatScore(1234.2)).toBe('1,234.2');
    expect(formatScore(null)).toBe('—');
  });

  it('keeps text that is not a date as it is', () => {
    expect(formatDate('unknown')).toBe('unknown');
  });

  it('puts the family name first and marks leads without a name', () => {
    setLocale('ja', false);
    expect(displayName('山田', '太郎')).toBe('山田 太郎');
    expect(displayName('山田', '')).toBe('山田');
    expect(displayName('', '')).toBe('（氏名未登録）');
  });
});

describe('detectLocale', () => {
  it('is Japanese unless the system language is English', () => {
    expect(detectLocale('ja-JP')).toBe('ja');
    expect(detectLocale('en-US')).toBe('en');
    expect(detectLocale('EN')).toBe('en');
    expect(detectLocale('fr-FR')).toBe('ja');
    expect(detectLocale(undefined)).toBe('ja');
  });

  it('remembers the choice', () => {
    setLocale('en');
    expect(localStorage.getItem('sodate.locale')).toBe('en');
    expect(document.documentElement.lang).toBe('en');
  });
});
