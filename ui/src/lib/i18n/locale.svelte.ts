/**
 * The UI language. Japanese unless the system language is English; the user's choice in
 * Settings is remembered in localStorage.
 */

export type Locale = 'ja' | 'en';

export const LOCALES: readonly Locale[] = ['ja', 'en'];

const STORAGE_KEY = 'sodate.locale';

/** Japanese unless `language` (a BCP 47 tag such as navigator.language) is English. */
export function detectLocale(language: string | undefined): Locale {
  return language?.toLowerCase().startsWith('en') ? 'en' : 'ja';
}

function storedLocale(): Locale | null {
  try {
    const value = globalThis.localStorage?.getItem(STORAGE_KEY);
    return value === 'ja' || value === 'en' ? value : null;
  } catch {
    return null;
  }
}

function initialLocale(): Locale {
  return storedLocale() ?? detectLocale(globalThis.navigator?.language);
}

export const localeState = $state<{ current: Locale }>({ current: initialLocale() });

function applyToDocument(locale: Locale): void {
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
}

applyToDocument(localeState.current);

export function setLocale(locale: Locale, persist = true): void {
  localeState.current = locale;
  applyToDocument(locale);
  if (!persist) return;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, locale);
  } catch {
    // Storage can be unavailable (private mode); the choice then lasts for this session.
  }
}

/** The locale again as first computed at start-up (stored choice or system language). */
export function resetLocaleFromEnvironment(): void {
  setLocale(initialLocale(), false);
}
