/**
 * Client-side checks of lead form fields, run as the user types. They mirror the core's
 * normalisers (NFKC first, so full-width input such as ０３−１２３４ is judged like the
 * half-width form); the core validates again on save and has the last word.
 * Each check returns an error code (`error.<code>` in the catalogue) or null; empty is valid.
 */

import type { LeadInput } from '../ipc';

export type FieldErrorCode =
  | 'invalid_email'
  | 'invalid_phone'
  | 'invalid_postal_code'
  | 'invalid_url'
  | 'required'
  | 'too_long';

/** Upper bounds well above any real value; they stop pasted garbage, not people. */
export const MAX_LENGTH: Partial<Record<keyof LeadInput, number>> = {
  email: 254,
  phone: 30,
  mobile: 30,
  postalCode: 10,
  website: 2048,
  notes: 10_000,
};
const DEFAULT_MAX_LENGTH = 200;

const HYPHENS = /[\u2010-\u2015\u2212\u30fc\uff70\u2043\ufe63\uff0d]/g;

function nfkc(value: string): string {
  return value.normalize('NFKC').trim();
}

export function checkEmail(value: string): FieldErrorCode | null {
  const email = nfkc(value);
  if (email === '') return null;
  if (email.length > 254) return 'too_long';
  const at = email.split('@');
  if (at.length !== 2) return 'invalid_email';
  const [local = '', domain = ''] = at;
  if (local === '' || local.length > 64) return 'invalid_email';
  // No spaces, control characters, quotes or angle brackets anywhere.
  if (/[\s\p{Cc}"<>(),;:\\[\]]/u.test(email)) return 'invalid_email';
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return 'invalid_email';
  const labels = domain.split('.');
  if (labels.length < 2) return 'invalid_email';
  for (const label of labels) {
    if (label === '' || label.length > 63) return 'invalid_email';
    if (label.startsWith('-') || label.endsWith('-')) return 'invalid_email';
    if (!/^[\p{L}\p{N}-]+$/u.test(label)) return 'invalid_email';
  }
  const tld = labels[labels.length - 1] ?? '';
  if (/^\d+$/.test(tld)) return 'invalid_email';
  return null;
}

/** Japanese numbers: 10 digits (landline) or 11 (mobile, 0120/0570 …) starting with 0;
 * international numbers: + and 8–15 digits (E.164). Separators - ( ) . and spaces. */
export function checkPhone(value: string): FieldErrorCode | null {
  const phone = nfkc(value).replace(HYPHENS, '-');
  if (phone === '') return null;
  if (phone.length > 30) return 'too_long';
  if (!/^\+?[\d\s\-().]+$/.test(phone)) return 'invalid_phone';
  if (phone.indexOf('+') > 0) return 'invalid_phone';
  const digits = phone.replace(/\D/g, '');
  if (phone.startsWith('+')) {
    return digits.length >= 8 && digits.length <= 15 && !digits.startsWith('0') ? null : 'invalid_phone';
  }
  if (!digits.startsWith('0')) return 'invalid_phone';
  return digits.length === 10 || digits.length === 11 ? null : 'invalid_phone';
}

/** 7 digits, optionally written 〒100-0005 or 100 0005. */
export function checkPostalCode(value: string): FieldErrorCode | null {
  const text = nfkc(value);
  if (text === '') return null;
  const postal = text.replace(HYPHENS, '-').replace(/^〒\s*/, '');
  return /^\d{3}[-\s]?\d{4}$/.test(postal) ? null : 'invalid_postal_code';
}

/** A web address, with or without the scheme (example.co.jp is fine). */
export function checkWebsite(value: string): FieldErrorCode | null {
  const text = nfkc(value);
  if (text === '') return null;
  if (text.length > 2048) return 'too_long';
  if (/\s/.test(text)) return 'invalid_url';
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `https://${text}`;
  try {
    const url = new URL(withScheme);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'invalid_url';
    return url.hostname.includes('.') ? null : 'invalid_url';
  } catch {
    return 'invalid_url';
  }
}

export type FieldErrors = Partial<Record<keyof LeadInput, FieldErrorCode>>;

/** The check of one field as the user types (only fields with a format). */
export function checkField(field: keyof LeadInput, value: string): FieldErrorCode | null {
  const max = MAX_LENGTH[field] ?? DEFAULT_MAX_LENGTH;
  switch (field) {
    case 'email':
      return checkEmail(value);
    case 'phone':
    case 'mobile':
      return checkPhone(value);
    case 'postalCode':
      return checkPostalCode(value);
    case 'website':
      return checkWebsite(value);
    default:
      return value.length > max ? 'too_long' : null;
  }
}

/** Identifies a lead: at least one of family name, given name, company or email. */
export function hasIdentity(input: LeadInput): boolean {
  return [input.familyName, input.givenName, input.companyName, input.email].some(
    (v) => v.trim() !== '',
  );
}

/** Every client-side error of a whole form, as on save. */
export function validateLead(input: LeadInput): FieldErrors {
  const errors: FieldErrors = {};
  for (const [key, value] of Object.entries(input) as [keyof LeadInput, unknown][]) {
    if (typeof value !== 'string') continue;
    const code = checkField(key, value);
    if (code) errors[key] = code;
  }
  if (!hasIdentity(input)) errors.familyName = 'required';
  return errors;
}
