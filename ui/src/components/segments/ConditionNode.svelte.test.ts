import { fireEvent, render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import type { FieldInfo, JourneySummary } from '../../lib/ipc';
import { fromFilter, toFilter, type GroupNode } from '../../lib/segments/builder';
import ConditionNode from './ConditionNode.svelte';

const fields: FieldInfo[] = [{ code: 'title', type: 'text', ops: ['contains'], values: [], closed: false }];
const journeys: JourneySummary[] = [
  { id: 3, name: '新規開拓', personaId: 1, personaName: '情シス部長', template: 'b2b', updatedAt: '', stages: [{ id: 's1', name: '認知' }, { id: 's2', name: '興味' }] },
];

describe('segment builder node', () => {
  it('moves a condition up with the keyboard on its handle (Enter, ArrowUp, Enter)', async () => {
    const tree = $state(fromFilter({ all: [{ field: 'title', op: 'contains', value: '部長' }, { journey: { map: 3, stage: 's2' } }] }) as GroupNode);
    let changes = 0;
    render(ConditionNode, { node: tree, fields, activityTypes: [], segments: [], journeys, path: 'root', onchange: () => (changes += 1) });
    const handle = screen.getByTestId('segment-handle-1');
    handle.focus();
    await fireEvent.keyDown(handle, { key: 'Enter' });
    await tick();
    await fireEvent.keyDown(document.activeElement ?? handle, { key: 'ArrowUp' });
    await tick();
    await fireEvent.keyDown(document.activeElement ?? handle, { key: 'Enter' });
    await tick();
    expect(toFilter(tree, fields)).toEqual({ all: [{ journey: { map: 3, stage: 's2' } }, { field: 'title', op: 'contains', value: '部長' }] });
    expect(changes).toBeGreaterThan(0);
  });
});
