/**
 * The merge choices of the review queue: which fields can be chosen, which side each one
 * takes by default (the same rule as the Rust side: the most recent non-empty value), and
 * how reasons are told in the user's language.
 */

import { t, tOr, type MessageKey } from '../i18n';
import { formatPostalCode } from '../i18n/format';
import type { Lead, MergeChoices, MergeSide, Reason } from '../ipc';

export interface MergeField {
  /** The field name the Rust side knows (`MERGE_FIELDS`). */
  code: string;
  label: MessageKey;
  /** The value as shown; `company` is the company name with its reading. */
  value: (lead: Lead) => string;
  /** The part compared to pick the default (the company name without its reading). */
  key?: (lead: Lead) => string;
  /** How a value is shown when it is stored as a code or in a compact form. */
  show?: (value: string) => string;
}

const plain = (pick: (lead: Lead) => string | null) => (lead: Lead) => (pick(lead) ?? '').trim();

export const MERGE_FIELDS: MergeField[] = [
  { code: 'family_name', label: 'lead.field.familyName', value: plain((l) => l.familyName) },
  { code: 'given_name', label: 'lead.field.givenName', value: plain((l) => l.givenName) },
  { code: 'family_reading', label: 'lead.field.familyReading', value: plain((l) => l.familyReading) },
  { code: 'given_reading', label: 'lead.field.givenReading', value: plain((l) => l.givenReading) },
  {
    code: 'company',
    label: 'lead.field.companyName',
    value: (l) => [l.companyName ?? '', l.companyReading ? `(${l.companyReading})` : ''].filter(Boolean).join(' '),
    key: plain((l) => l.companyName),
  },
  { code: 'department', label: 'lead.field.department', value: plain((l) => l.department) },
  { code: 'title', label: 'lead.field.title', value: plain((l) => l.title) },
  { code: 'email', label: 'lead.field.email', value: plain((l) => l.email) },
  { code: 'phone', label: 'lead.field.phone', value: plain((l) => l.phone) },
  { code: 'mobile', label: 'lead.field.mobile', value: plain((l) => l.mobile) },
  { code: 'postal_code', label: 'lead.field.postalCode', value: plain((l) => l.postalCode), show: formatPostalCode },
  { code: 'prefecture', label: 'lead.field.prefecture', value: plain((l) => l.prefecture) },
  { code: 'address', label: 'lead.field.address', value: plain((l) => l.address) },
  { code: 'website', label: 'lead.field.website', value: plain((l) => l.website) },
  { code: 'notes', label: 'lead.field.notes', value: plain((l) => l.notes) },
  { code: 'source', label: 'lead.field.source', value: plain((l) => l.source), show: (v) => tOr(`source.${v}`, v) },
];

/** A lead field's label from its column or merge field name (`company_id`, `title`, `tags`;
 * the name itself for a field the UI does not know). */
export function fieldLabel(code: string): string {
  const field = MERGE_FIELDS.find((f) => f.code === code);
  if (field) return t(field.label);
  const camel = code.replace(/_id$/, '_name').replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return tOr(`lead.field.${camel}`, code);
}

function keyOf(field: MergeField, lead: Lead): string {
  return (field.key ?? field.value)(lead);
}

/** A field's value as shown to the user. */
export function shownValue(field: MergeField, lead: Lead): string {
  const value = field.value(lead);
  return value && field.show ? field.show(value) : value;
}

/** Whether the two leads hold different values in `field`. */
export function differs(field: MergeField, a: Lead, b: Lead): boolean {
  return field.value(a) !== field.value(b);
}

/** The side each field takes when the user chooses nothing: the merged lead's value when the
 * survivor has none, or when both have one and the merged lead was updated later. */
export function defaultChoices(survivor: Lead, merged: Lead): Record<string, MergeSide> {
  const mergedNewer = merged.updatedAt > survivor.updatedAt;
  const out: Record<string, MergeSide> = {};
  for (const field of MERGE_FIELDS) {
    const s = keyOf(field, survivor);
    const m = keyOf(field, merged);
    out[field.code] = m !== '' && s !== m && (s === '' || mergedNewer) ? 'merged' : 'survivor';
  }
  return out;
}

/** The choices sent to the Rust side: every field named, so what is shown is what is done. */
export function choicesPayload(choices: Record<string, MergeSide>): MergeChoices {
  return { fields: { ...choices }, custom: {} };
}

/** A reason in the user's language (the English message when the code is unknown). */
export function reasonText(reason: Reason): string {
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(reason.params)) params[key] = value ?? '';
  let key = `dedupe.reason.${reason.code}`;
  if (reason.code === 'family_name_variant' && !params.reading) key = 'dedupe.reason.family_name_variant_unread';
  return tOr(key, reason.message, params);
}

/** "+50" / "−30": a reason's points as shown beside it. */
export function pointsText(points: number): string {
  return points > 0 ? `+${points}` : points < 0 ? `−${Math.abs(points)}` : '±0';
}

/** The confidence band a pair is shown in. */
export function confidenceTone(confidence: number): 'success' | 'warning' | 'neutral' {
  return confidence >= 90 ? 'success' : confidence >= 70 ? 'warning' : 'neutral';
}

export function confidenceText(confidence: number): string {
  return t('dedupe.confidence', { value: confidence });
}
