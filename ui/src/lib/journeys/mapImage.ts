/**
 * A journey map as a picture (PNG, or a JPEG the core wraps into a one-page PDF): the
 * persona and stages as columns with their live figures, one row per lane with its cells,
 * and the emotion curve on the feelings lane. `layoutMap` places everything (pure, with the
 * text measured by the caller); `drawMap` paints a layout on a 2D canvas.
 */

import type { JourneyDoc, StageMetrics } from '../ipc';

export interface MapText {
  title: string;
  persona: string;
  /** The label of each lane, by lane id. */
  lanes: Record<string, string>;
  /** The figures line under a stage name ("1,234人 · → 25.0% · 12日"), by stage id. */
  figures: Record<string, string>;
}

export interface TextBox {
  x: number;
  y: number;
  lines: string[];
  bold?: boolean;
  muted?: boolean;
}

export interface MapLayout {
  width: number;
  height: number;
  /** Lines between columns and rows. */
  rules: { x1: number; y1: number; x2: number; y2: number }[];
  texts: TextBox[];
  /** The emotion curve's points (empty without a feelings lane). */
  curve: { x: number; y: number; value: number }[];
  /** The header band. */
  header: { y: number; height: number };
}

export const MAP_FONT = 14;
const LINE = 20;
const PAD = 12;
const LANE_COLUMN = 180;
const STAGE_COLUMN = 220;
const CURVE_HEIGHT = 120;
const MAX_LINES = 12;

/** Breaks `text` into lines no wider than `width` (characters are the unit for Japanese). */
export function wrap(text: string, width: number, measure: (s: string) => number): string[] {
  const out: string[] = [];
  for (const paragraph of text.replace(/\r/g, '').split('\n')) {
    let line = '';
    for (const ch of paragraph) {
      if (line && measure(line + ch) > width) {
        out.push(line);
        line = ch.trim() ? ch : '';
      } else {
        line += ch;
      }
    }
    out.push(line);
  }
  while (out.length > 1 && out[out.length - 1] === '') out.pop();
  if (out.length > MAX_LINES) return [...out.slice(0, MAX_LINES - 1), `${out[MAX_LINES - 1]}…`];
  return out;
}

/** Where each part of the map goes, in pixels. */
export function layoutMap(
  doc: JourneyDoc,
  text: MapText,
  measure: (s: string, bold?: boolean) => number,
): MapLayout {
  const stages = doc.stages ?? [];
  const lanes = doc.lanes ?? [];
  const width = LANE_COLUMN + STAGE_COLUMN * Math.max(stages.length, 1);
  const inner = STAGE_COLUMN - 2 * PAD;
  const texts: TextBox[] = [];
  const rules: MapLayout['rules'] = [];
  const colX = (i: number) => LANE_COLUMN + i * STAGE_COLUMN;

  texts.push({ x: PAD, y: PAD, lines: [text.title], bold: true });
  let y = PAD + LINE + PAD;
  const headerTop = y;
  texts.push({ x: PAD, y: y + PAD, lines: wrap(text.persona, LANE_COLUMN - 2 * PAD, (s) => measure(s, true)), bold: true });
  let headerHeight = 0;
  stages.forEach((s, i) => {
    const name = wrap(s.name, inner, (t) => measure(t, true));
    const figures = wrap(text.figures[s.id] ?? '', inner, measure);
    texts.push({ x: colX(i) + PAD, y: y + PAD, lines: name, bold: true });
    texts.push({ x: colX(i) + PAD, y: y + PAD + name.length * LINE, lines: figures, muted: true });
    headerHeight = Math.max(headerHeight, 2 * PAD + (name.length + figures.length) * LINE);
  });
  y += headerHeight;
  rules.push({ x1: 0, y1: headerTop, x2: width, y2: headerTop });
  rules.push({ x1: 0, y1: y, x2: width, y2: y });

  const curve: MapLayout['curve'] = [];
  for (const lane of lanes) {
    const label = wrap(text.lanes[lane.id] ?? '', LANE_COLUMN - 2 * PAD, (s) => measure(s, true));
    let rowHeight = label.length * LINE + 2 * PAD;
    const top = y;
    if (lane.kind === 'feelings') {
      // The curve: +2 at the top of its band, −2 at the bottom.
      stages.forEach((s, i) => {
        const value = Math.max(-2, Math.min(2, s.emotion ?? 0));
        curve.push({ x: colX(i) + STAGE_COLUMN / 2, y: top + PAD + ((2 - value) / 4) * (CURVE_HEIGHT - 2 * PAD), value });
      });
      rowHeight = Math.max(rowHeight, CURVE_HEIGHT);
    }
    const cellTop = lane.kind === 'feelings' ? top + CURVE_HEIGHT : top;
    let cellsHeight = 0;
    stages.forEach((s, i) => {
      const cell = (lane.cells ?? {})[s.id] ?? '';
      if (!cell.trim()) return;
      const lines = wrap(cell, inner, measure);
      texts.push({ x: colX(i) + PAD, y: cellTop + PAD, lines });
      cellsHeight = Math.max(cellsHeight, lines.length * LINE + 2 * PAD);
    });
    rowHeight = Math.max(rowHeight, cellTop - top + cellsHeight);
    texts.push({ x: PAD, y: top + PAD, lines: label, bold: true });
    y = top + rowHeight;
    rules.push({ x1: 0, y1: y, x2: width, y2: y });
  }
  for (let i = 0; i <= stages.length; i += 1) rules.push({ x1: colX(i), y1: headerTop, x2: colX(i), y2: y });
  return { width, height: y + PAD, rules, texts, curve, header: { y: headerTop, height: headerHeight } };
}

/** Paints `layout` on `canvas` (resized to it) at `scale` device pixels per pixel. */
export function drawMap(canvas: HTMLCanvasElement, layout: MapLayout, scale = 2): void {
  canvas.width = Math.ceil(layout.width * scale);
  canvas.height = Math.ceil(layout.height * scale);
  const g = canvas.getContext('2d');
  if (!g) throw new Error('no 2D canvas');
  g.scale(scale, scale);
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, layout.width, layout.height);
  g.fillStyle = '#f4f5f8';
  g.fillRect(0, layout.header.y, layout.width, layout.header.height);
  g.strokeStyle = '#d5d8e0';
  g.lineWidth = 1;
  for (const r of layout.rules) {
    g.beginPath();
    g.moveTo(r.x1 + 0.5, r.y1 + 0.5);
    g.lineTo(r.x2 + 0.5, r.y2 + 0.5);
    g.stroke();
  }
  if (layout.curve.length > 0) {
    g.strokeStyle = '#4f46e5';
    g.lineWidth = 2;
    g.beginPath();
    layout.curve.forEach((p, i) => (i === 0 ? g.moveTo(p.x, p.y) : g.lineTo(p.x, p.y)));
    g.stroke();
    for (const p of layout.curve) {
      g.fillStyle = p.value > 0 ? '#16a34a' : p.value < 0 ? '#dc2626' : '#6b7280';
      g.beginPath();
      g.arc(p.x, p.y, 4, 0, Math.PI * 2);
      g.fill();
    }
  }
  g.textBaseline = 'top';
  const family = '"Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", sans-serif';
  for (const box of layout.texts) {
    g.font = `${box.bold ? '600 ' : ''}${MAP_FONT}px ${family}`;
    g.fillStyle = box.muted ? '#5b6170' : '#1c1f26';
    box.lines.forEach((line, i) => g.fillText(line, box.x, box.y + i * LINE + 2));
  }
}

/** A measuring function for `layoutMap` backed by a canvas's font metrics. */
export function canvasMeasure(canvas: HTMLCanvasElement): (s: string, bold?: boolean) => number {
  const g = canvas.getContext('2d');
  const family = '"Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", sans-serif';
  return (s, bold) => {
    if (!g) return s.length * MAP_FONT;
    g.font = `${bold ? '600 ' : ''}${MAP_FONT}px ${family}`;
    return g.measureText(s).width;
  };
}

/** The figures line of a stage, in the words of `t`. */
export function figuresLine(f: StageMetrics | null | undefined, words: { leads: (n: number) => string; days: (d: number) => string; unbound: string }): string {
  if (!f || f.count === null || f.count === undefined) return f && !f.bound ? words.unbound : '';
  const parts = [words.leads(f.count)];
  if (f.entered > 0 && typeof f.conversion === 'number') parts.push(`→ ${(f.conversion * 100).toFixed(1)}%`);
  if (typeof f.medianDays === 'number') parts.push(words.days(f.medianDays));
  return parts.join(' · ');
}

/** The canvas's picture as bytes of `type` (image/png, image/jpeg). */
export function canvasBytes(canvas: HTMLCanvasElement, type: 'image/png' | 'image/jpeg'): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    canvas.toBlob(
      (blob) => {
        if (!blob) {
          reject(new Error('the picture could not be made'));
          return;
        }
        blob.arrayBuffer().then((b) => resolve(new Uint8Array(b)), reject);
      },
      type,
      0.92,
    );
  });
}
