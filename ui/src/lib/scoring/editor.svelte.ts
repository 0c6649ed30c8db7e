/**
 * The scoring editor's state: the stored model, the draft being edited, what saving the
 * draft would change (recomputed a short pause after each edit, nothing written), and the
 * problems of the draft, at their rules and fields. Saving stores the model and recomputes
 * every lead; an invalid draft is never sent for saving.
 */

import { errorText } from '../errors';
import { startTiming, TIMINGS, type Timing } from '../timing';
import { tOr } from '../i18n';
import {
  IpcError,
  ipc,
  onScoringSaveProgress,
  type BehaviourRule,
  type FitRule,
  type ImpactPreview,
  type RecomputeReport,
  type ScoringCatalogue,
  type ScoringModel,
  type ScoringSaveProgress,
  type StoredModel,
} from '../ipc';

import { freshRuleId, localIssues, type DraftIssue } from './draft';

export const IMPACT_DELAY_MS = 400;

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export class ScoringEditor {
  stored = $state<StoredModel | null>(null);
  catalogue = $state<ScoringCatalogue | null>(null);
  draft = $state<ScoringModel | null>(null);
  loadError = $state<string | null>(null);
  impact = $state<ImpactPreview | null>(null);
  impactBusy = $state(false);
  /** Problems of the draft: found by the editor, or reported by the server's validation. */
  issues = $state<DraftIssue[]>([]);
  saving = $state(false);
  /** How far the save under way has come (its events), null before the first. */
  saveProgress = $state<ScoringSaveProgress | null>(null);
  saveError = $state<string | null>(null);
  lastSaved = $state<RecomputeReport | null>(null);
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** From the last edit to its impact on screen. */
  private impactTiming: Timing | null = null;

  get dirty(): boolean {
    return this.draft !== null && this.stored !== null && JSON.stringify(this.draft) !== JSON.stringify(this.stored.model);
  }

  async load(): Promise<void> {
    this.loadError = null;
    try {
      const [stored, catalogue] = await Promise.all([ipc.scoringModel(), ipc.scoringCatalogue()]);
      this.stored = stored;
      this.catalogue = catalogue;
      this.draft = clone(stored.model);
      this.issues = [];
      this.impact = null;
      // The first preview reads every lead and activity (seconds at a million leads); doing it
      // now, while the user reads the rules, makes the previews after each edit fast.
      void ipc.scoringImpact(stored.model).catch(() => undefined);
    } catch (error) {
      this.loadError = errorText(error);
    }
  }

  issueAt(path: string): string | null {
    const issue = this.issues.find((i) => i.path === path);
    return issue ? tOr(`scoring.issue.${issue.code}`, issue.message) : null;
  }

  /** Call after every edit: the impact is asked for after a short pause. */
  changed(): void {
    if (this.timer) clearTimeout(this.timer);
    this.impactTiming?.drop();
    this.impactTiming = null;
    const mine = ++this.seq;
    if (!this.draft || !this.dirty) {
      this.impact = null;
      this.issues = [];
      this.impactBusy = false;
      return;
    }
    const local = localIssues(this.draft);
    this.issues = local;
    if (local.length > 0) {
      this.impact = null;
      return;
    }
    this.impactBusy = true;
    this.impactTiming = startTiming(TIMINGS.scoringImpact);
    this.timer = setTimeout(() => void this.refreshImpact(mine), IMPACT_DELAY_MS);
  }

  private async refreshImpact(mine: number): Promise<void> {
    if (!this.draft) return;
    try {
      const impact = await ipc.scoringImpact($state.snapshot(this.draft) as ScoringModel);
      if (mine !== this.seq) return;
      this.impact = impact;
      this.issues = [];
      void this.impactTiming?.end({ leads: impact.leads });
    } catch (error) {
      if (mine !== this.seq) return;
      this.impact = null;
      this.issues = issuesOf(error);
    } finally {
      if (mine === this.seq) this.impactBusy = false;
    }
  }

  async save(): Promise<boolean> {
    if (!this.draft || this.saving) return false;
    const local = localIssues(this.draft);
    if (local.length > 0) {
      this.issues = local;
      return false;
    }
    this.saving = true;
    this.saveError = null;
    this.saveProgress = null;
    // (Seconds at a million leads: the backup, then the rescored leads written.)
    const stop = await onScoringSaveProgress((p) => {
      if (this.saving) this.saveProgress = p;
    }).catch(() => () => {});
    try {
      const model = $state.snapshot(this.draft) as ScoringModel;
      this.lastSaved = await ipc.scoringSave(model);
      this.stored = await ipc.scoringModel();
      this.draft = clone(this.stored.model);
      this.impact = null;
      this.issues = [];
      this.seq++;
      return true;
    } catch (error) {
      this.issues = issuesOf(error);
      this.saveError = errorText(error);
      return false;
    } finally {
      stop();
      this.saving = false;
      this.saveProgress = null;
    }
  }

  /** A model read from a file becomes the draft (saved only when the user saves). */
  useModel(model: ScoringModel): void {
    this.draft = clone(model);
    this.changed();
  }

  /** Back to the stored model. */
  discard(): void {
    if (this.stored) this.draft = clone(this.stored.model);
    this.changed();
  }

  /** The built-in model as the draft (saved only when the user saves). */
  useDefault(): void {
    if (this.catalogue) this.draft = clone(this.catalogue.defaultModel);
    this.changed();
  }

  addBehaviourRule(): void {
    if (!this.draft) return;
    const type = this.catalogue?.activityTypes[0]?.code ?? 'page_view';
    const rule: BehaviourRule = {
      id: freshRuleId(this.draft, type),
      label: { ja: '', en: '' },
      activityType: type,
      detail: null,
      points: 10,
      repeat: 'repeatable',
      cap: null,
    };
    this.draft.behaviourRules.push(rule);
    this.changed();
  }

  removeBehaviourRule(index: number): void {
    this.draft?.behaviourRules.splice(index, 1);
    this.changed();
  }

  addFitRule(): void {
    if (!this.draft) return;
    const rule: FitRule = {
      id: freshRuleId(this.draft, 'fit_title'),
      label: { ja: '', en: '' },
      field: 'title',
      op: 'contains',
      values: [],
      points: 10,
    };
    this.draft.fitRules.push(rule);
    this.changed();
  }

  removeFitRule(index: number): void {
    this.draft?.fitRules.splice(index, 1);
    this.changed();
  }
}

function issuesOf(error: unknown): DraftIssue[] {
  if (error instanceof IpcError && error.code === 'invalid') {
    return error.details.fields.map((f) => ({ path: f.field, code: f.code, message: f.message }));
  }
  return [];
}

export const scoringEditor = new ScoringEditor();
