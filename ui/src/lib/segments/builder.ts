/**
 * The segment builder's tree and its JSON (docs/SEGMENTS.md): groups (all / any, optionally
 * negated) of field conditions, activity conditions and segment references. Values are
 * edited as text and converted by the field's type when the filter is built.
 */

import type { FieldInfo } from '../ipc';

export interface GroupNode {
  kind: 'group';
  mode: 'all' | 'any';
  negate: boolean;
  children: BuilderNode[];
}

export interface FieldNode {
  kind: 'field';
  field: string;
  op: string;
  /** The value as typed; lists are separated by commas, `between` uses `value` and `value2`. */
  value: string;
  value2: string;
}

export interface ActivityNode {
  kind: 'activity';
  /** An activity type code, or '' for any activity. */
  type: string;
  minCount: number | null;
  maxCount: number | null;
  withinDays: number | null;
}

export interface SegmentRefNode {
  kind: 'segment';
  id: number | null;
}

export type BuilderNode = GroupNode | FieldNode | ActivityNode | SegmentRefNode;

/** Operators that take no value, and those that take a list or a number of days. */
export const NO_VALUE_OPS = new Set(['empty', 'not_empty']);
export const LIST_OPS = new Set(['in', 'not_in']);
export const DAY_OPS = new Set(['within_days', 'before_days']);

export function emptyGroup(mode: 'all' | 'any' = 'all'): GroupNode {
  return { kind: 'group', mode, negate: false, children: [] };
}

export function newField(fields: readonly FieldInfo[], code = 'title'): FieldNode {
  const info = fields.find((f) => f.code === code) ?? fields[0];
  const op = info?.ops.includes('contains') ? 'contains' : (info?.ops[0] ?? 'eq');
  return { kind: 'field', field: info?.code ?? code, op, value: '', value2: '' };
}

export function newActivity(): ActivityNode {
  return { kind: 'activity', type: 'seminar_attended', minCount: 1, maxCount: null, withinDays: 90 };
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
      return { segment: node.id };
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
    return { kind: 'group', mode, negate: false, children: (o[mode] as unknown[]).map(fromFilter) };
  }
  if (o.not !== undefined) {
    const inner = fromFilter(o.not);
    if (inner.kind === 'group' && !inner.negate) return { ...inner, negate: true };
    return { kind: 'group', mode: 'all', negate: true, children: [inner] };
  }
  if (typeof o.field === 'string') {
    const v = o.value;
    const [first, second] = Array.isArray(v) && o.op === 'between' ? v : [v, ''];
    return {
      kind: 'field',
      field: o.field,
      op: text(o.op),
      value: Array.isArray(v) && o.op !== 'between' ? v.map(text).join('、') : text(first),
      value2: text(second),
    };
  }
  if (typeof o.activity === 'object' && o.activity !== null) {
    const a = o.activity as Record<string, unknown>;
    return { kind: 'activity', type: text(a.type), minCount: num(a.min_count), maxCount: num(a.max_count), withinDays: num(a.within_days) };
  }
  if (o.segment !== undefined) return { kind: 'segment', id: num(o.segment) };
  return emptyGroup();
}

/** Conditions in the tree (groups not counted). */
export function conditionCount(node: BuilderNode): number {
  return node.kind === 'group' ? node.children.reduce((n, c) => n + conditionCount(c), 0) : 1;
}
