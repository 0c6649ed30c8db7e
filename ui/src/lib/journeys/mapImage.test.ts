import { describe, expect, it } from 'vitest';
import type { JourneyDoc } from '../ipc';
import { figuresLine, layoutMap, wrap } from './mapImage';

/** Every character 14 px wide (a monospaced stand-in for the canvas's measure). */
const measure = (s: string) => [...s].length * 14;

const doc: JourneyDoc = {
  stages: [
    { id: 's1', name: '認知', emotion: 1, binding: null, steps: [] },
    { id: 's2', name: '興味', emotion: -2, binding: null, steps: [] },
  ],
  lanes: [
    { id: 'a', kind: 'actions', name: '', cells: { s1: '展示会でブースに立ち寄る', s2: '' } },
    { id: 'f', kind: 'feelings', name: '', cells: { s2: '比較が面倒' } },
  ],
};

describe('journey map picture', () => {
  it('wraps Japanese text by width and keeps line breaks', () => {
    expect(wrap('展示会でブースに立ち寄る', 14 * 5, measure)).toEqual(['展示会でブ', 'ースに立ち', '寄る']);
    expect(wrap('一行目\n二行目', 1000, measure)).toEqual(['一行目', '二行目']);
    expect(wrap('', 100, measure)).toEqual(['']);
    expect(wrap('あ'.repeat(400), 14, measure)).toHaveLength(12);
  });

  it('places the title, stages with figures, each lane with its cells, and the curve', () => {
    const layout = layoutMap(doc, { title: '新規開拓', persona: '情シス部長', lanes: { a: '行動', f: '感情' }, figures: { s1: '1,234人', s2: '' } }, measure);
    expect(layout.width).toBe(180 + 2 * 220);
    const all = layout.texts.flatMap((b) => b.lines);
    for (const text of ['新規開拓', '情シス部長', '認知', '興味', '1,234人', '行動', '感情', '比較が面倒']) expect(all).toContain(text);
    expect(all.join('')).toContain('展示会でブースに立ち寄る');
    // +1 sits above −2 on the curve, both in the middle of their columns.
    expect(layout.curve.map((p) => p.x)).toEqual([180 + 110, 180 + 330]);
    expect(layout.curve[0]!.y).toBeLessThan(layout.curve[1]!.y);
    // The feelings cell is drawn below the curve's band; everything fits the picture.
    const feel = layout.texts.find((b) => b.lines.includes('比較が面倒'))!;
    expect(feel.y).toBeGreaterThan(Math.max(...layout.curve.map((p) => p.y)));
    for (const b of layout.texts) expect(b.y + b.lines.length * 20).toBeLessThanOrEqual(layout.height);
  });

  it('words the figures of a stage', () => {
    const words = { leads: (n: number) => `${n}人`, days: (d: number) => `${d}日`, unbound: '未設定' };
    expect(figuresLine({ id: 's1', name: '', bound: true, count: 12, entered: 20, conversion: 0.25, medianDays: 3.5 }, words)).toBe('12人 · → 25.0% · 3.5日');
    expect(figuresLine({ id: 's1', name: '', bound: false, count: null, entered: 0, conversion: null, medianDays: null }, words)).toBe('未設定');
    expect(figuresLine(null, words)).toBe('');
  });
});
