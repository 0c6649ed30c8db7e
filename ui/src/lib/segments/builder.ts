/**
 * The segment builder's tree and its JSON (docs/SEGMENTS.md): groups (all / any, optionally
 * negated) of field conditions, activity conditions, segment references and journey stages.
 * Values are edited as text and converted by the field's type when the filter is built.
 * Every node has an `id` (not part of the filter) so the builder can drag it to reorder.
 */

import type { FieldInfo } from '../ipc';

let lastId = 0;
/** A fresh node id (unique within the session). */
export const nodeId = (): number => ++lastId;

interface Node {
  /** Identifies the node while it is dragged; never part of the filter. */
  id?: number;
}

export interface GroupNode extends Node {
  kind: 'group';
  mode: 'all' | 'any';
  negate: boolean;
  children: BuilderNode[];
}

export interface FieldNode extends Node {
  kind: 'field';
  field: string;
  op: string;
  /** The value as typed; lists are separated by commas, `between` uses `value` and `value2`. */
  value: string;
  value2: string;
}

export interface ActivityNode extends Node {
  kind: 'activity';
  /** An activity type code, or '' for any activity. */
  type: string;
  minCount: number | null;
  maxCount: number | null;
  withinDays: number | null;
}

export interface SegmentRefNode extends Node {
  kind: 'segment';
  segment: number | null;
}

/** The leads now in a stage of a journey map (`stage` '' : any of its stages). */
export interface JourneyNode extends Node {
  kind: 'journey';
  map: number | null;
  stage: string;
}

export type BuilderNode = GroupNode | FieldNode | ActivityNode | SegmentRefNode | JourneyNode;

/** Operators that take no value, and those that take a list or a number of days. */
export const NO_VALUE_OPS = new Set(['empty', 'not_empty']);
export const LIST_OPS = new Set(['in', 'not_in']);
export const DAY_OPS = new Set(['within_days', 'before_days']);

export function emptyGroup(mode: 'all' | 'any' = 'all'): GroupNode {
  return { id: nodeId(), kind: 'group', mode, negate: false, children: [] };
}

export function newField(fields: readonly FieldInfo[], code = 'title'): FieldNode {
  const info = fields.find((f) => f.code === code) ?? fields[0];
  const op = info?.ops.includes('contains') ? 'contains' : (info?.ops[0] ?? 'eq');
  return { id: nodeId(), kind: 'field', field: info?.code ?? code, op, value: '', value2: '' };
}

export function newActivity(): ActivityNode {
  return { id: nodeId(), kind: 'activity', type: 'seminar_attended', minCount: 1, maxCount: null, withinDays: 90 };
}

export function newSegmentRef(segment: number | null): SegmentRefNode {
  return { id: nodeId(), kind: 'segment', segment };
}

export function newJourney(map: number | null, stage = ''): JourneyNode {
  return { id: nodeId(), kind: 'journey', map, stage };
}

function typed(text: string, kind: string | undefined): string | number {
  const trimmed = text.trim();
  if (kind === 'number' || kind === 'event') {
    const n = Number(trimmed);
    return trimmed !== '' && Number.isFinite(n) ? n : trimmed;
  }
  return trimmed;
}

/** The filter JSON of a node (what the Rust side parses). */
export function toFilter(node: BuilderNode, fields: readonly FieldInfo[]): unknown {
  switch (node.kind) {
    case 'group': {
      const inner = { [node.mode]: node.children.map((c) => toFilter(c, fields)) };
      return node.negate ? { not: inner } : inner;
    }
    case 'field': {
      const kind = fields.find((f) => f.code === node.field)?.type;
      const out: Record<string, unknown> = { field: node.field, op: node.op };
      if (NO_VALUE_OPS.has(node.op)) return out;
      if (LIST_OPS.has(node.op)) {
        out.value = node.value
          .split(/[,，、]/)
          .map((v) => v.trim())
          .filter(Boolean)
          .map((v) => typed(v, kind));
      } else if (DAY_OPS.has(node.op)) {
        out.value = typed(node.value, 'number');
      } else if (node.op === 'between') {
        out.value = [typed(node.value, kind), typed(node.value2, kind)];
      } else {
        out.value = typed(node.value, kind);
      }
      return out;
    }
    case 'activity': {
      const activity: Record<string, unknown> = {};
      if (node.type) activity.type = node.type;
      if (node.minCount !== null) activity.min_count = node.minCount;
      if (node.maxCount !== null) activity.max_count = node.maxCount;
      if (node.withinDays !== null) activity.within_days = node.withinDays;
      return { activity };
    }
    case 'segment':
      return { segment: node.segment };
    case 'journey':
      return { journey: node.stage ? { map: node.map, stage: node.stage } : { map: node.map } };
  }
}

const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** The builder tree of a saved filter (anything unknown becomes an empty group). */
export function fromFilter(value: unknown): BuilderNode {
  if (typeof value !== 'object' || value === null) return emptyGroup();
  const o = value as Record<string, unknown>;
  if (Array.isArray(o.all) || Array.isArray(o.any)) {
    const mode = Array.isArray(o.all) ? 'all' : 'any';
    return { id: nodeId(), kind: 'group', mode, negate: false, children: (o[mode] as unknown[]).map(fromFilter) };
  }
  if (o.not !== undefined) {
    const inner = fromFilter(o.not);
    if (inner.kind === 'group' && !inner.negate) return { ...inner, negate: true };
    return { id: nodeId(), kind: 'group', mode: 'all', negate: true, children: [inner] };
  }
  if (typeof o.field === 'string') {
    const v = o.value;
    const [first, second] = Array.isArray(v) && o.op === 'between' ? v : [v, ''];
    return {
      id: nodeId(),
      kind: 'field',
      field: o.field,
      op: text(o.op),
      value: Array.isArray(v) && o.op !== 'between' ? v.map(text).join('、') : text(first),
      value2: text(second),
    };
  }
  if (typeof o.activity === 'object' && o.activity !== null) {
    const a = o.activity as Record<string, unknown>;
    return { id: nodeId(), kind: 'activity', type: text(a.type), minCount: num(a.min_count), maxCount: num(a.max_count), withinDays: num(a.within_days) };
  }
  if (o.segment !== undefined) return newSegmentRef(num(o.segment));
  if (typeof o.journey === 'object' && o.journey !== null) {
    const j = o.journey as Record<string, unknown>;
    return newJourney(num(j.map), text(j.stage));
  }
  return emptyGroup();
}

/** Conditions in the tree (groups not counted). */
export function conditionCount(node: BuilderNode): number {
  return node.kind === 'group' ? node.children.reduce((n, c) => n + conditionCount(c), 0) : 1;
}
