/**
 * Import targets as the wizard offers them: the lead fields a column can go to, in the order
 * of a Japanese business card, plus "keep as a custom field" and "do not import". A `Field`
 * crosses IPC as a code string or `{ custom: name }`; the select works with plain strings.
 */

import type { ColumnMapping, Field, LeadInput, PreviewRow, TextEncoding, Format } from '../ipc';

export type StandardField = Exclude<Field, { custom: string }>;

/** Standard fields in business-card order (会社 → 部署 → 役職 → 氏名 → よみ → 連絡先 → 住所). */
export const IMPORT_FIELDS = [
  'company_name',
  'company_reading',
  'department',
  'title',
  'full_name',
  'family_name',
  'given_name',
  'full_reading',
  'family_reading',
  'given_reading',
  'email',
  'phone',
  'mobile',
  'fax',
  'postal_code',
  'prefecture',
  'address',
  'address2',
  'website',
  'card_exchanged_on',
  'tags',
  'notes',
] as const satisfies readonly StandardField[];

export type LeadField = (typeof IMPORT_FIELDS)[number];

/** The select's value for "keep as a custom field" (named after the column's header). */
export const CUSTOM = 'custom';
export const IGNORE = 'ignore';

export type FieldChoice = LeadField | typeof CUSTOM | typeof IGNORE;

export function isCustom(field: Field): field is { custom: string } {
  return typeof field === 'object' && field !== null && 'custom' in field;
}

export function choiceOf(field: Field): FieldChoice {
  if (isCustom(field)) return CUSTOM;
  return field as FieldChoice;
}

export function fieldOfChoice(choice: FieldChoice, header: string): Field {
  return choice === CUSTOM ? { custom: header } : choice;
}

/** Fields a column may take only once (names, email …); notes, tags and custom fields add up. */
export function isRepeatable(field: Field): boolean {
  return isCustom(field) || field === 'notes' || field === 'tags' || field === 'ignore';
}

/** Fields whose existing values an update can be told to keep ("don't overwrite"). */
export const KEEPABLE_FIELDS: readonly LeadField[] = IMPORT_FIELDS.filter(
  (f) => f !== 'tags' && f !== 'notes' && f !== 'full_name' && f !== 'full_reading' && f !== 'address2',
);

/** The standard fields the mapping sends somewhere, in card order (for "keep existing"). */
export function mappedFields(mapping: readonly ColumnMapping[]): LeadField[] {
  const used = new Set<string>();
  for (const m of mapping) {
    if (isCustom(m.field)) continue;
    const f = m.field as string;
    // Full names fill the family and given name; address2 goes into the address.
    if (f === 'full_name') ['family_name', 'given_name'].forEach((x) => used.add(x));
    else if (f === 'full_reading') ['family_reading', 'given_reading'].forEach((x) => used.add(x));
    else if (f === 'address2') used.add('address');
    else used.add(f);
  }
  return KEEPABLE_FIELDS.filter((f) => used.has(f));
}

/** Other columns that send a single-use field where this one does (the last one wins). */
export function duplicateOf(mapping: readonly ColumnMapping[], index: number): ColumnMapping | null {
  const m = mapping[index];
  if (!m || isRepeatable(m.field)) return null;
  return mapping.find((other, i) => i !== index && !isRepeatable(other.field) && other.field === m.field) ?? null;
}

/** The stored custom-field name of a special field (backend constants). */
const CUSTOM_NAME: Partial<Record<LeadField, string>> = { fax: 'FAX', card_exchanged_on: '名刺交換日' };

/**
 * What the preview row stores for a column, as a sample of what the column holds. The
 * preview carries stored values, not raw cells: ignored columns have none.
 */
export function sampleOf(row: PreviewRow, mapping: ColumnMapping): string {
  const lead: LeadInput = row.lead;
  const field = mapping.field;
  if (isCustom(field)) return row.custom[field.custom || mapping.header] ?? '';
  switch (field) {
    case 'ignore':
      return '';
    case 'full_name':
      return [lead.familyName, lead.givenName].filter(Boolean).join(' ');
    case 'full_reading':
      return [lead.familyReading, lead.givenReading].filter(Boolean).join(' ');
    case 'family_name':
      return lead.familyName;
    case 'given_name':
      return lead.givenName;
    case 'family_reading':
      return lead.familyReading;
    case 'given_reading':
      return lead.givenReading;
    case 'company_name':
      return lead.companyName;
    case 'company_reading':
      return lead.companyReading;
    case 'department':
      return lead.department;
    case 'title':
      return lead.title;
    case 'email':
      return lead.email;
    case 'phone':
      return lead.phone;
    case 'mobile':
      return lead.mobile;
    case 'postal_code':
      return lead.postalCode;
    case 'prefecture':
      return lead.prefecture;
    case 'address':
    case 'address2':
      return lead.address;
    case 'website':
      return lead.website;
    case 'notes':
      return lead.notes;
    case 'tags':
      return lead.tags.join(', ');
    case 'fax':
    case 'card_exchanged_on':
      return row.custom[CUSTOM_NAME[field] ?? ''] ?? '';
    default:
      return '';
  }
}

/** A few distinct non-empty samples of a column from the preview rows. */
export function samplesOf(rows: readonly PreviewRow[], mapping: ColumnMapping, count = 3): string[] {
  const out: string[] = [];
  for (const row of rows) {
    const value = sampleOf(row, mapping).replace(/\s*\n\s*/g, ' ').trim();
    if (value && !out.includes(value)) out.push(value);
    if (out.length >= count) break;
  }
  return out;
}

export const ENCODINGS: readonly TextEncoding[] = ['utf-8', 'utf-8-bom', 'shift_jis', 'euc-jp', 'utf-16le', 'utf-16be'];
export const FORMATS: readonly Format[] = ['csv', 'tsv', 'xlsx', 'xls', 'ods', 'vcard'];

/** Formats whose text encoding can be chosen (workbooks carry their own). */
export function hasTextEncoding(format: Format): boolean {
  return format === 'csv' || format === 'tsv' || format === 'vcard';
}

/** The file's name from a path typed or dropped (either slash). */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}
