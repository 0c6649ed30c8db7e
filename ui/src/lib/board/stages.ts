/**
 * The board's rules as the UI applies them before asking the core (which checks them again):
 * which moves need a reason or a confirmation, what a column is called, how an SLA reads.
 */

import { tOr } from '../i18n';
import type { Locale } from '../i18n/locale.svelte';

/** Board columns in order (sodate_core::handoff::BOARD_STAGES). */
export const BOARD_STAGES = ['mql', 'sal', 'sql', 'opportunity', 'won', 'lost', 'recycled', 'disqualified'] as const;
export type BoardStage = (typeof BOARD_STAGES)[number];

/** Moving into these needs a reason from the stage's list. */
export const REASON_STAGES: readonly string[] = ['lost', 'recycled', 'disqualified'];

export interface StageNames {
  stage: string;
  labelJa: string;
  labelEn: string;
}

/** The column's name: the user's name for it in `locale`, else the built-in one. */
export function stageLabel(stages: readonly StageNames[], stage: string, locale: Locale): string {
  const own = stages.find((s) => s.stage === stage);
  const custom = own ? (locale === 'ja' ? own.labelJa : own.labelEn) : '';
  return custom.trim() || tOr(`lifecycle.${stage}`, stage);
}

/** What has to happen before a card may move: nothing, a reason, or a confirmation that
 * BANT is incomplete. */
export type MoveStep = 'direct' | 'reason' | 'confirmBant' | 'same';

export function moveStep(from: string, to: string, bantAnswered: number): MoveStep {
  if (from === to) return 'same';
  if (REASON_STAGES.includes(to)) return 'reason';
  if (to === 'sql' && bantAnswered < 4) return 'confirmBant';
  return 'direct';
}

/** The badge tone of an SLA state (colour always comes with its label). */
export function slaTone(sla: string): string {
  if (sla === 'overdue') return 'danger';
  if (sla === 'due_soon') return 'warning';
  if (sla === 'on_time') return 'success';
  return 'neutral';
}
