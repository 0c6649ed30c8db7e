/**
 * The message catalogue: `t(key, params)` with keys checked at compile time against
 * messages/ja.json (the source of truth; en.json must have exactly the same keys, which the
 * type of `catalogues` and a unit test both enforce).
 */

import ja from '../../../messages/ja.json';
import en from '../../../messages/en.json';
import { localeState, type Locale } from './locale.svelte';

export type MessageKey = keyof typeof ja;
export type MessageParams = Record<string, string | number>;

const catalogues: Record<Locale, Record<MessageKey, string>> = { ja, en };

const numberFormats = new Map<Locale, Intl.NumberFormat>();

export function numberFormat(locale: Locale): Intl.NumberFormat {
  let format = numberFormats.get(locale);
  if (!format) {
    format = new Intl.NumberFormat(locale === 'ja' ? 'ja-JP' : 'en-US');
    numberFormats.set(locale, format);
  }
  return format;
}

function interpolate(template: string, params: MessageParams | undefined, locale: Locale): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? numberFormat(locale).format(value) : value;
  });
}

/** The message `key` in the current locale with `{param}` placeholders filled in (numbers
 * are formatted for the locale). */
export function t(key: MessageKey, params?: MessageParams): string {
  const locale = localeState.current;
  return interpolate(catalogues[locale][key], params, locale);
}

export function hasMessage(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(ja, key);
}

/** For keys built from data (`lifecycle.${code}`): the message if the catalogue has it,
 * otherwise `fallback` (e.g. the server's label or English message). */
export function tOr(key: string, fallback: string, params?: MessageParams): string {
  return hasMessage(key) ? t(key, params) : fallback;
}

export { catalogues };
