/** How the scoring editor names things in the user's language. */

import { t, tOr } from '../i18n';
import { localeState } from '../i18n/locale.svelte';
import type { ActivityType, FitField } from '../ipc';

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

/** An explanation line's source with activity codes and field names in the user's language
 * (`2026-05-05 document_request ホワイトペーパー` → `2026-05-05 資料請求 ホワイトペーパー`). */
export function sourceText(source: string, fields: readonly FitField[] = []): string {
  return source.replace(/\b(company\.)?[a-z][a-z_]*[a-z]\b/g, (word) => {
    const fit = fields.find((f) => f.code === word);
    if (fit) return localeState.current === 'en' ? fit.labelEn : fit.labelJa;
    return tOr(`activity.${word}`, word);
  });
}
