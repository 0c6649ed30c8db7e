/**
 * The capture form's logic, apart from the view: the tab order of a Japanese business card,
 * readings kept in katakana, checks while typing that never block a save, and merging what a
 * QR code or OCR read into what the user typed without overwriting it unasked.
 */
import type { CardFields, LeadInput } from '../ipc';
import { emptyLeadInput } from '../leads/leadInput';

export type CardField = keyof CardFields;

/** The form's text fields in the order a Japanese card reads (会社名 → 部署 → 役職 → 氏名 →
 * よみ → 連絡先 → 住所): the tab order. */
export const CARD_FIELD_ORDER = [
  'company',
  'companyReading',
  'department',
  'title',
  'familyName',
  'givenName',
  'familyReading',
  'givenReading',
  'email',
  'phone',
  'mobile',
  'postalCode',
  'address',
  'url',
] as const satisfies readonly CardField[];

export type FormField = (typeof CARD_FIELD_ORDER)[number];

export const READING_FIELDS: readonly CardField[] = ['familyReading', 'givenReading', 'companyReading'];

export function emptyCard(): CardFields {
  return {
    familyName: '',
    givenName: '',
    familyReading: '',
    givenReading: '',
    company: '',
    companyReading: '',
    department: '',
    title: '',
    email: '',
    phone: '',
    mobile: '',
    fax: '',
    postalCode: '',
    address: '',
    url: '',
    note: '',
  };
}

/** A reading as it is stored: hiragana and half-width katakana become full-width katakana
 * (the core stores readings so; this shows it while typing). */
export function toKatakana(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u3041-\u3096\u309d\u309e]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
}

/** Why a value looks wrong, or null; never a reason to refuse the save. */
export type FieldCheck = 'email' | 'phone' | 'postalCode' | 'reading';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function digits(text: string): string {
  return text.normalize('NFKC').replace(/\D/g, '');
}

export function checkField(field: CardField, value: string): FieldCheck | null {
  const v = value.trim();
  if (!v) return null;
  switch (field) {
    case 'email':
      return EMAIL.test(v.normalize('NFKC')) ? null : 'email';
    case 'phone':
    case 'mobile': {
      const d = digits(v).replace(/^81/, '0');
      return d.length >= 10 && d.length <= 11 ? null : 'phone';
    }
    case 'postalCode':
      return digits(v).length === 7 ? null : 'postalCode';
    case 'familyReading':
    case 'givenReading':
    case 'companyReading':
      // Kana, prolonged sound mark, middle dot, spaces and Latin letters (romaji) only.
      return /^[\p{Script=Hiragana}\p{Script=Katakana}ー・ A-Za-z.-]+$/u.test(v.normalize('NFKC')) ? null : 'reading';
    default:
      return null;
  }
}

/** Every field that looks wrong. */
export function checkCard(card: CardFields): Partial<Record<CardField, FieldCheck>> {
  const out: Partial<Record<CardField, FieldCheck>> = {};
  for (const field of CARD_FIELD_ORDER) {
    const problem = checkField(field, card[field]);
    if (problem) out[field] = problem;
  }
  return out;
}

/** True when nothing has been typed or read. */
export function isBlank(card: CardFields, memo = '', products: readonly string[] = []): boolean {
  return Object.values(card).every((v) => !v.trim()) && !memo.trim() && products.length === 0;
}

/** The outcome of merging a reading (QR/OCR) into the form. */
export interface Prefill {
  /** The card with every empty field filled from the reading. */
  card: CardFields;
  /** Fields filled from the reading (marked until the user edits or accepts them). */
  filled: CardField[];
  /** Fields the user typed that the reading says otherwise: asked before replacing. */
  conflicts: CardField[];
}

/** Fills the empty fields from `read`; fields the user typed are never replaced here. A
 * field still holding an earlier unconfirmed prefill counts as empty. */
export function prefill(current: CardFields, read: CardFields, unconfirmed: ReadonlySet<CardField>): Prefill {
  const card = { ...current };
  const filled: CardField[] = [];
  const conflicts: CardField[] = [];
  for (const key of Object.keys(read) as CardField[]) {
    const incoming = (read[key] ?? '').trim();
    if (!incoming) continue;
    const mine = current[key].trim();
    if (!mine || unconfirmed.has(key)) {
      card[key] = READING_FIELDS.includes(key) ? toKatakana(incoming) : incoming;
      filled.push(key);
    } else if (mine !== incoming) {
      conflicts.push(key);
    }
  }
  return { card, filled, conflicts };
}

/** The card with the conflicting fields replaced by the reading (the user said yes). */
export function overwrite(current: CardFields, read: CardFields, fields: readonly CardField[]): CardFields {
  const card = { ...current };
  for (const key of fields) card[key] = READING_FIELDS.includes(key) ? toKatakana(read[key]) : read[key];
  return card;
}

/** The memo a reading offers: the card's note joined to what was typed. */
export function memoWith(memo: string, note: string): string {
  const extra = note.trim();
  if (!extra || memo.includes(extra)) return memo;
  return memo.trim() ? `${memo.trim()}\n${extra}` : extra;
}

/** Display name of a card for messages (family name first). */
export function cardName(card: CardFields): string {
  const name = [card.familyName, card.givenName].map((s) => s.trim()).filter(Boolean).join(' ');
  return name || card.company.trim() || card.email.trim();
}

/** Runs `fn` `delay` ms after the last call (drafts are saved so while the user types). */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, delay: number) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const call = (...args: A) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      fn(...args);
    }, delay);
  };
  /** Drops the pending call. */
  call.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  /** Runs the pending call at once (if any). */
  call.now = (...args: A) => {
    if (!timer) return;
    clearTimeout(timer);
    timer = null;
    fn(...args);
  };
  return call;
}

/** The base64 body of a file or blob (photos and QR images travel so over IPC). */
export async function base64Of(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** A data URL as a Blob (a stored photo given to OCR). */
export async function blobOfDataUrl(url: string): Promise<Blob> {
  const [head, body] = url.split(',', 2);
  const type = /data:([^;]+)/.exec(head ?? '')?.[1] ?? 'application/octet-stream';
  const binary = atob(body ?? '');
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type });
}

/** The card as a lead input, for the live duplicate warning (the lead form's). */
export function leadInputOf(card: CardFields): LeadInput {
  return {
    ...emptyLeadInput(),
    familyName: card.familyName,
    givenName: card.givenName,
    familyReading: card.familyReading,
    givenReading: card.givenReading,
    companyName: card.company,
    companyReading: card.companyReading,
    email: card.email,
    phone: card.phone,
    mobile: card.mobile,
  };
}
