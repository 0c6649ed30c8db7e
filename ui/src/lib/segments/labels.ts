/** Names of segment fields and operators in the user's language. */

import { t, tOr } from '../i18n';

/** `company.industry` → 業種, `custom.予算` → カスタム: 予算, `family_name` → 姓. */
export function fieldName(code: string): string {
  if (code.startsWith('custom.')) return t('scoring.fit.custom', { name: code.slice('custom.'.length) });
  const camel = code.replace(/\./g, '_').replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return tOr(`segments.field.${code}`, tOr(`lead.field.${camel}`, code));
}

export function opName(op: string): string {
  return tOr(`segments.op.${op}`, op);
}
