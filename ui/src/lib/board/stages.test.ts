import { describe, expect, it } from 'vitest';
import { moveStep, slaTone, stageLabel } from './stages';
import { localeState } from '../i18n/locale.svelte';

describe('board rules', () => {
  it('asks for a reason for lost, recycled and disqualified, and a confirmation for SQL without BANT', () => {
    expect(moveStep('mql', 'sal', 0)).toBe('direct');
    expect(moveStep('sal', 'lost', 4)).toBe('reason');
    expect(moveStep('lost', 'recycled', 0)).toBe('reason');
    expect(moveStep('sal', 'disqualified', 0)).toBe('reason');
    expect(moveStep('sal', 'sql', 3)).toBe('confirmBant');
    expect(moveStep('sal', 'sql', 4)).toBe('direct');
    expect(moveStep('sal', 'sal', 0)).toBe('same');
  });

  it('names a column by the user\'s name in the current language, else the built-in name', () => {
    localeState.current = 'ja';
    const stages = [{ stage: 'sal', labelJa: '営業受付', labelEn: '' }];
    expect(stageLabel(stages, 'sal', 'ja')).toBe('営業受付');
    expect(stageLabel(stages, 'sal', 'en')).toBe('SAL');
    expect(stageLabel(stages, 'opportunity', 'ja')).toBe('商談');
    expect(stageLabel([], 'lost', 'ja')).toBe('失注');
  });

  it('colours SLA states', () => {
    expect([slaTone('overdue'), slaTone('due_soon'), slaTone('on_time'), slaTone('none')]).toEqual([
      'danger',
      'warning',
      'success',
      'neutral',
    ]);
  });
});
