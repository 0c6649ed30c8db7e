/** Checks and ids for a scoring model draft, before it is sent anywhere. */

import type { ScoringModel } from '../ipc';

/** A problem of the draft: `path` as the Rust side names it (`behaviourRules[2].points`). */
export interface DraftIssue {
  path: string;
  code: string;
  message: string;
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Problems the server would refuse that the editor can see by itself (empty number fields). */
export function localIssues(model: ScoringModel): DraftIssue[] {
  const out: DraftIssue[] = [];
  const need = (path: string, value: unknown) => {
    if (!isNumber(value)) out.push({ path, code: 'required', message: 'a number is needed' });
  };
  model.behaviourRules.forEach((rule, i) => need(`behaviourRules[${i}].points`, rule.points));
  model.fitRules.forEach((rule, i) => need(`fitRules[${i}].points`, rule.points));
  if (model.decay.kind !== 'none') need('decay.days', model.decay.days);
  need('mql.engagement', model.mql.engagement);
  need('mql.fit', model.mql.fit);
  model.grades.fit.forEach((value, i) => need(`grades.fit[${i}]`, value));
  model.grades.engagement.forEach((value, i) => need(`grades.engagement[${i}]`, value));
  return out;
}

/** A rule id not used yet in the model, from `base`. */
export function freshRuleId(model: ScoringModel, base: string): string {
  const taken = new Set([...model.behaviourRules.map((r) => r.id), ...model.fitRules.map((r) => r.id)]);
  const stem = base.replace(/[^a-z0-9_]+/gi, '_').toLowerCase() || 'rule';
  if (!taken.has(stem)) return stem;
  for (let n = 2; ; n++) if (!taken.has(`${stem}_${n}`)) return `${stem}_${n}`;
}
