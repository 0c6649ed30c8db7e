import { describe, expect, it } from 'vitest';
import type { JourneyDoc } from '../ipc';
import * as D from './doc';

function doc(): JourneyDoc {
  return {
    stages: [
      { id: 's1', name: '認知', emotion: 0, binding: null, steps: [] },
      { id: 's2', name: '興味', emotion: 1, binding: { segment: 3 }, steps: [] },
      { id: 's3', name: '比較', emotion: -1, binding: { field: 'lifecycle_stage', op: 'eq', value: 'mql' }, steps: [] },
    ],
    lanes: [
      { id: 'l1', kind: 'actions', name: '', cells: { s1: '展示会で名刺交換', s3: '比較表を作る' } },
      { id: 'l2', kind: 'feelings', name: '', cells: {} },
    ],
  };
}

describe('map document edits', () => {
  it('adds stages with fresh ids and removes a stage with its cells', () => {
    const added = D.addStage(doc(), '検討');
    expect(added.stages.map((s) => [s.id, s.name])).toEqual([['s1', '認知'], ['s2', '興味'], ['s3', '比較'], ['s4', '検討']]);
    const removed = D.removeStage(doc(), 's3');
    expect(removed.stages.map((s) => s.id)).toEqual(['s1', 's2']);
    expect(removed.lanes[0]!.cells).toEqual({ s1: '展示会で名刺交換' });
  });

  it('reorders stages and lanes and stops at the ends', () => {
    expect(D.moveStage(doc(), 's1', 1).stages.map((s) => s.id)).toEqual(['s2', 's1', 's3']);
    expect(D.moveStage(doc(), 's1', -1).stages.map((s) => s.id)).toEqual(['s1', 's2', 's3']);
    expect(D.moveLane(doc(), 'l2', -1).lanes.map((l) => l.id)).toEqual(['l2', 'l1']);
  });

  it('edits cells in place; an empty cell is dropped', () => {
    const d = D.setCell(doc(), 'l1', 's2', '資料をダウンロード');
    expect(d.lanes[0]!.cells.s2).toBe('資料をダウンロード');
    expect(D.setCell(d, 'l1', 's1', '  ').lanes[0]!.cells.s1).toBeUndefined();
  });

  it('keeps emotions within −2..+2', () => {
    expect(D.setEmotion(doc(), 's1', 5).stages[0]!.emotion).toBe(2);
    expect(D.setEmotion(doc(), 's1', -3.4).stages[0]!.emotion).toBe(-2);
    expect(D.emotionAt(D.emotionY(1, 96), 96)).toBe(1);
    expect(D.emotionAt(D.emotionY(-2, 96), 96)).toBe(-2);
  });

  it('adds, edits and removes scenario steps', () => {
    let d = D.addStep(doc(), 's2', { dayOffset: 0, channel: 'email', content: '事例紹介メール' });
    d = D.addStep(d, 's2', { dayOffset: 3, channel: 'email', content: 'ホワイトペーパー案内' });
    expect(d.stages[1]!.steps.map((s) => [s.id, s.dayOffset, s.content])).toEqual([['p1', 0, '事例紹介メール'], ['p2', 3, 'ホワイトペーパー案内']]);
    d = D.updateStep(d, 's2', 'p2', { dayOffset: 10, channel: 'call' });
    expect(d.stages[1]!.steps[1]!).toMatchObject({ dayOffset: 10, channel: 'call' });
    expect(D.removeStep(d, 's2', 'p1').stages[1]!.steps.map((s) => s.id)).toEqual(['p2']);
  });

  it('tells binding modes apart and reads rules typed as JSON', () => {
    const d = doc();
    expect(d.stages.map((s) => D.bindingMode(s.binding))).toEqual(['none', 'segment', 'rule']);
    expect(D.parseRule('{"all": []}')).toEqual({ ok: true, value: { all: [] } });
    const bad = D.parseRule('{"all": [');
    expect(bad.ok).toBe(false);
  });

  it('undoes and redoes whole edits', () => {
    const h = new D.History(doc());
    h.apply(D.addStage(h.current, '検討'));
    h.apply(D.setEmotion(h.current, 's1', 2));
    expect(h.current.stages.length).toBe(4);
    expect(h.undo().stages[0]!.emotion).toBe(0);
    expect(h.undo().stages.length).toBe(3);
    expect(h.canUndo).toBe(false);
    expect(h.redo().stages.length).toBe(4);
    h.apply(D.removeStage(h.current, 's2'));
    expect(h.canRedo).toBe(false);
  });

  it('draws a smooth path through every point', () => {
    const path = D.smoothPath([[0, 10], [100, 50], [200, 20]]);
    expect(path.startsWith('M0,10')).toBe(true);
    expect(path.endsWith('200,20')).toBe(true);
    expect(path.match(/C/g)?.length).toBe(2);
  });
});
