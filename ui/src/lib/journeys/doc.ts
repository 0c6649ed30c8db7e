/**
 * Editing a journey map's document: pure functions over `JourneyDoc` (stages, lanes, cells,
 * emotions, bindings, scenario steps) and an undo/redo history of whole documents. The core
 * validates what is saved; these functions keep the document's own invariants (unique ids,
 * cells only for existing stages, emotions −2..+2).
 */

import type { StepChannel, JourneyDoc, Lane, LaneKind, ScenarioStep, Stage } from '../ipc';

export const EMOTION_MIN = -2;
export const EMOTION_MAX = 2;

export const LANE_KINDS: LaneKind[] = [
  'actions',
  'thoughts',
  'feelings',
  'touchpoints',
  'content',
  'pain_points',
  'opportunities',
  'kpis',
  'custom',
];

export const CHANNELS: StepChannel[] = ['email', 'call', 'meeting', 'other'];

function clone(doc: JourneyDoc): JourneyDoc {
  return JSON.parse(JSON.stringify(doc)) as JourneyDoc;
}

/** A fresh id with `prefix` that the document does not use yet. */
export function freshId(prefix: string, used: Iterable<string>): string {
  const taken = new Set(used);
  let n = taken.size + 1;
  while (taken.has(`${prefix}${n}`)) n += 1;
  return `${prefix}${n}`;
}

export function clampEmotion(value: number): number {
  return Math.max(EMOTION_MIN, Math.min(EMOTION_MAX, Math.round(value)));
}

export function addStage(doc: JourneyDoc, name: string): JourneyDoc {
  const next = clone(doc);
  const stage: Stage = { id: freshId('s', doc.stages.map((s) => s.id)), name, emotion: 0, binding: null, steps: [] };
  next.stages.push(stage);
  return next;
}

export function updateStage(doc: JourneyDoc, id: string, patch: Partial<Omit<Stage, 'id'>>): JourneyDoc {
  const next = clone(doc);
  next.stages = next.stages.map((s) => (s.id === id ? { ...s, ...patch } : s));
  return next;
}

export function setEmotion(doc: JourneyDoc, id: string, value: number): JourneyDoc {
  return updateStage(doc, id, { emotion: clampEmotion(value) });
}

function move<T>(list: T[], index: number, delta: number): T[] {
  const to = index + delta;
  if (index < 0 || to < 0 || to >= list.length) return list;
  const copy = [...list];
  copy.splice(to, 0, ...copy.splice(index, 1));
  return copy;
}

export function moveStage(doc: JourneyDoc, id: string, delta: number): JourneyDoc {
  const next = clone(doc);
  next.stages = move(next.stages, next.stages.findIndex((s) => s.id === id), delta);
  return next;
}

/** Removes a stage and its cells in every lane. */
export function removeStage(doc: JourneyDoc, id: string): JourneyDoc {
  const next = clone(doc);
  next.stages = next.stages.filter((s) => s.id !== id);
  for (const lane of next.lanes) delete lane.cells[id];
  return next;
}

export function addLane(doc: JourneyDoc, kind: LaneKind, name = ''): JourneyDoc {
  const next = clone(doc);
  const lane: Lane = { id: freshId('l', doc.lanes.map((l) => l.id)), kind, name, cells: {} };
  next.lanes.push(lane);
  return next;
}

export function renameLane(doc: JourneyDoc, id: string, name: string): JourneyDoc {
  const next = clone(doc);
  next.lanes = next.lanes.map((l) => (l.id === id ? { ...l, name } : l));
  return next;
}

export function moveLane(doc: JourneyDoc, id: string, delta: number): JourneyDoc {
  const next = clone(doc);
  next.lanes = move(next.lanes, next.lanes.findIndex((l) => l.id === id), delta);
  return next;
}

export function removeLane(doc: JourneyDoc, id: string): JourneyDoc {
  const next = clone(doc);
  next.lanes = next.lanes.filter((l) => l.id !== id);
  return next;
}

export function setCell(doc: JourneyDoc, laneId: string, stageId: string, text: string): JourneyDoc {
  const next = clone(doc);
  const lane = next.lanes.find((l) => l.id === laneId);
  if (!lane) return doc;
  if (text.trim() === '') delete lane.cells[stageId];
  else lane.cells[stageId] = text;
  return next;
}

export function addStep(doc: JourneyDoc, stageId: string, step: Omit<ScenarioStep, 'id'>): JourneyDoc {
  const stage = doc.stages.find((s) => s.id === stageId);
  if (!stage) return doc;
  const id = freshId('p', stage.steps.map((s) => s.id));
  return updateStage(doc, stageId, { steps: [...stage.steps, { id, ...step }] });
}

export function updateStep(doc: JourneyDoc, stageId: string, stepId: string, patch: Partial<Omit<ScenarioStep, 'id'>>): JourneyDoc {
  const stage = doc.stages.find((s) => s.id === stageId);
  if (!stage) return doc;
  return updateStage(doc, stageId, { steps: stage.steps.map((s) => (s.id === stepId ? { ...s, ...patch } : s)) });
}

export function removeStep(doc: JourneyDoc, stageId: string, stepId: string): JourneyDoc {
  const stage = doc.stages.find((s) => s.id === stageId);
  if (!stage) return doc;
  return updateStage(doc, stageId, { steps: stage.steps.filter((s) => s.id !== stepId) });
}

export type BindingMode = 'none' | 'segment' | 'rule';

/** How a binding is edited: a saved segment (`{"segment": 7}`), an inline rule, or none. */
export function bindingMode(binding: unknown): BindingMode {
  if (binding === null || binding === undefined) return 'none';
  if (typeof binding === 'object' && !Array.isArray(binding) && Object.keys(binding).length === 1 && typeof (binding as { segment?: unknown }).segment === 'number') {
    return 'segment';
  }
  return 'rule';
}

export type RuleParse = { ok: true; value: unknown } | { ok: false; reason: string };

/** Reads a rule typed as JSON; the parser's reason when it is not JSON. */
export function parseRule(text: string): RuleParse {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Undo/redo over whole documents (the editor's edits are small; maps are small). */
export class History {
  private past: JourneyDoc[] = [];
  private future: JourneyDoc[] = [];
  constructor(public current: JourneyDoc) {}

  apply(next: JourneyDoc): JourneyDoc {
    if (JSON.stringify(next) === JSON.stringify(this.current)) return this.current;
    this.past.push(this.current);
    if (this.past.length > 200) this.past.shift();
    this.future = [];
    this.current = next;
    return next;
  }

  undo(): JourneyDoc {
    const prev = this.past.pop();
    if (prev) {
      this.future.push(this.current);
      this.current = prev;
    }
    return this.current;
  }

  redo(): JourneyDoc {
    const next = this.future.pop();
    if (next) {
      this.past.push(this.current);
      this.current = next;
    }
    return this.current;
  }

  get canUndo(): boolean {
    return this.past.length > 0;
  }

  get canRedo(): boolean {
    return this.future.length > 0;
  }
}

/** The y of an emotion on a curve of `height` (+2 at the top, −2 at the bottom). */
export function emotionY(emotion: number, height: number, pad = 10): number {
  return pad + ((EMOTION_MAX - emotion) / (EMOTION_MAX - EMOTION_MIN)) * (height - 2 * pad);
}

/** The emotion for a pointer at `y` on a curve of `height`. */
export function emotionAt(y: number, height: number, pad = 10): number {
  return clampEmotion(EMOTION_MAX - ((y - pad) / (height - 2 * pad)) * (EMOTION_MAX - EMOTION_MIN));
}

/** A smooth SVG path through the points (a Catmull-Rom spline as cubic Béziers). */
export function smoothPath(points: Array<[number, number]>): string {
  if (points.length === 0) return '';
  const first = points[0]!;
  let d = `M${first[0]},${first[1]}`;
  for (let i = 0; i < points.length - 1; i++) {
    const p1 = points[i]!;
    const p2 = points[i + 1]!;
    const p0 = points[i - 1] ?? p1;
    const p3 = points[i + 2] ?? p2;
    const c1x = p1[0] + (p2[0] - p0[0]) / 6;
    const c1y = p1[1] + (p2[1] - p0[1]) / 6;
    const c2x = p2[0] - (p3[0] - p1[0]) / 6;
    const c2y = p2[1] - (p3[1] - p1[1]) / 6;
    d += ` C${c1x},${c1y} ${c2x},${c2y} ${p2[0]},${p2[1]}`;
  }
  return d;
}
