/** How the scoring editor names things in the user's language. */

import { t, tOr } from '../i18n';
import { localeState } from '../i18n/locale.svelte';
import type { ActivityType, ExplainLine, FitField } from '../ipc';
import { formatDate } from '../i18n/format';

type Label = { ja: string; en: string };

/** A rule label in the current language (the other language when this one is empty). */
export function labelText(label: Label): string {
  const first = localeState.current === 'en' ? label.en : label.ja;
  return first || label.ja || label.en;
}

/** Sets the label of the current language. */
export function setLabel(label: Label, text: string): void {
  if (localeState.current === 'en') label.en = text;
  else label.ja = text;
}

export function activityTypeLabel(code: string, types: readonly ActivityType[]): string {
  const type = types.find((x) => x.code === code);
  const fallback = type ? (localeState.current === 'en' ? type.labelEn : type.labelJa) : code;
  return tOr(`activity.${code}`, fallback);
}

export function fitFieldLabel(code: string, fields: readonly FitField[]): string {
  const field = fields.find((f) => f.code === code);
  if (field) return localeState.current === 'en' ? field.labelEn : field.labelJa;
  if (code.startsWith('custom.')) return t('scoring.fit.custom', { name: code.slice('custom.'.length) });
  return code;
}

/** Where an explanation line's points come from, in the user's language: the activity
 * (type, how many, the newest one's date and detail) or the field and the lead's value. */
export function sourceText(line: ExplainLine, fields: readonly FitField[] = [], types: readonly ActivityType[] = []): string {
  const parts: string[] = [];
  if (line.activityType) {
    const what = activityTypeLabel(line.activityType, types);
    parts.push(line.count > 1 ? t('lead.score.times', { what, count: line.count }) : what);
    if (line.latestAt) parts.push(line.count > 1 ? t('lead.score.latest', { date: formatDate(line.latestAt) }) : formatDate(line.latestAt));
    if (line.detail) parts.push(line.detail);
  } else if (line.field) {
    parts.push(`${fitFieldLabel(line.field, fields)} = ${line.value ?? ''}`);
  } else {
    parts.push(line.source);
  }
  if (line.capped) parts.push(t('lead.score.capped'));
  return parts.join(' · ');
}
