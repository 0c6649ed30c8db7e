/** The lead form's model: a LeadInput, built empty or from a stored lead. */

import type { LeadDetail, LeadInput } from '../ipc';

/** Source codes the form offers (the core stores any string; unknown ones are kept). */
export const LEAD_SOURCES = [
  'trade_show',
  'card_exchange',
  'web_form',
  'seminar',
  'webinar',
  'web',
  'referral',
  'import',
  'other',
] as const;

/** Lifecycle stages in funnel order (sodate_core::model::LIFECYCLE_STAGES). */
export const LIFECYCLE_STAGES = [
  'subscriber',
  'lead',
  'mql',
  'sal',
  'sql',
  'opportunity',
  'won',
  'lost',
  'recycled',
  'disqualified',
] as const;

/** Form fields in Japanese business-card order (会社 → 部署 → 役職 → 氏名 → よみ → 連絡先 → 住所). */
export const LEAD_FORM_ORDER: readonly (keyof LeadInput)[] = [
  'companyName',
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
  'prefecture',
  'address',
  'website',
  'source',
  'tags',
  'notes',
];

export function emptyLeadInput(): LeadInput {
  return {
    familyName: '',
    givenName: '',
    familyReading: '',
    givenReading: '',
    companyName: '',
    companyReading: '',
    department: '',
    title: '',
    email: '',
    phone: '',
    mobile: '',
    postalCode: '',
    prefecture: '',
    address: '',
    website: '',
    notes: '',
    source: '',
    tags: [],
  };
}

export function leadInputFromDetail(detail: LeadDetail): LeadInput {
  const { lead } = detail;
  return {
    familyName: lead.familyName,
    givenName: lead.givenName,
    familyReading: lead.familyReading,
    givenReading: lead.givenReading,
    companyName: lead.companyName ?? '',
    companyReading: lead.companyReading ?? '',
    department: lead.department,
    title: lead.title,
    email: lead.email,
    phone: lead.phone,
    mobile: lead.mobile,
    postalCode: lead.postalCode,
    prefecture: lead.prefecture,
    address: lead.address,
    website: lead.website,
    notes: lead.notes,
    source: lead.source,
    tags: [...detail.tags],
  };
}

/** Splits typed text into tags at commas (、，, too), trimming and dropping duplicates. */
export function splitTags(text: string): string[] {
  return text
    .split(/[,，、]/)
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
}

export function addTags(existing: readonly string[], text: string): string[] {
  const result = [...existing];
  for (const tag of splitTags(text)) {
    if (!result.includes(tag)) result.push(tag);
  }
  return result;
}

export function isLeadInputKey(key: string): key is keyof LeadInput {
  return (LEAD_FORM_ORDER as readonly string[]).includes(key);
}
