import { beforeEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import type { CandidatePair, LeadQuery, MergeChoices, ScanReport } from '../../lib/ipc';
import { navigate } from '../../lib/router.svelte';
import { reviewQueue } from '../../lib/dedupe/queue.svelte';
import { appError, leadDetail, leadPage, mockCommands, READY } from '../../test/fixtures';
import App from './App.svelte';

function pair(a: number, b: number, confidence: number, reasons: CandidatePair['reasons'] = []): CandidatePair {
  return { a, b, aName: '高橋 宏', bName: '髙橋 宏', confidence, reasons };
}

const SAME_EMAIL = { code: 'same_email', points: 50, params: { email: 'h.takahashi@sample.co.jp' }, message: 'same e-mail address' };
const ITAIJI = { code: 'name_itaiji', points: 25, params: { a: '高橋 宏', b: '髙橋 宏' }, message: 'same name with variant kanji' };
const OTHER_PHONE = { code: 'different_phone', points: -30, params: { a: '+81311112222', b: '+81333334444' }, message: 'different phones' };

function report(pairs: CandidatePair[]): ScanReport {
  return { pairs, clusters: [], leadsScanned: 1200, pairsCompared: 40, skippedBlocks: [], skippedBlockCount: 0, seconds: 0.2 };
}

const leadA = leadDetail(3, { familyName: '高橋', givenName: '宏', title: '課長', email: 'h.takahashi@sample.co.jp', updatedAt: '2026-01-01T00:00:00Z' }, { activityCount: 4 });
const leadB = leadDetail(9, { familyName: '髙橋', givenName: '宏', title: '部長', email: 'h.takahashi@sample.co.jp', mobile: '090-1111-2222', updatedAt: '2026-06-01T00:00:00Z' }, { activityCount: 7 });

function backend(extra: Record<string, (args: Record<string, unknown>) => unknown> = {}) {
  return mockCommands({
    app_status: READY(1200),
    lead_list: (args) => leadPage(args.query as LeadQuery, 1200),
    dedupe_scan: () => report([pair(3, 9, 95, [SAME_EMAIL, ITAIJI, OTHER_PHONE]), pair(3, 20, 72, [SAME_EMAIL]), pair(40, 41, 55, [ITAIJI])]),
    lead_get: (args) => (args.id === 3 ? leadA : args.id === 9 ? leadB : leadDetail(args.id as number)),
    lead_merges: () => [],
    ...extra,
  });
}

async function openQueue() {
  navigate('/duplicates');
  render(App);
  await fireEvent.click(await screen.findByTestId('dedupe-scan'));
  return screen.findByTestId('dedupe-compare');
}

describe('duplicate review queue', () => {
  beforeEach(() => {
    reviewQueue.report = null;
    reviewQueue.pairs = [];
    reviewQueue.selected = null;
    reviewQueue.minConfidence = 50;
  });

  it('explains the area before the first scan and scans at the chosen confidence', async () => {
    const ipc = backend();
    navigate('/duplicates');
    render(App);
    expect((await screen.findByTestId('dedupe-start')).textContent).toContain('元に戻せます');
    const threshold = screen.getByTestId('dedupe-threshold') as HTMLSelectElement;
    threshold.value = '70';
    await fireEvent.change(threshold);
    await fireEvent.click(screen.getByTestId('dedupe-scan'));
    await screen.findByTestId('dedupe-compare');
    expect(ipc.argsOf('dedupe_scan')[0]).toEqual({ options: { minConfidence: 70, maxBlockSize: 50 } });
    expect(screen.getByTestId('dedupe-count').textContent).toBe('3組');
  });

  it('shows the most confident pair side by side with its reasons and the differences marked', async () => {
    backend();
    const compare = await openQueue();
    expect(compare.getAttribute('data-pair')).toBe('3-9');
    const reasons = within(compare).getByTestId('dedupe-reasons').textContent ?? '';
    expect(reasons).toContain('+50 メールアドレスが一致（h.takahashi@sample.co.jp）');
    expect(reasons).toContain('異体字を除き氏名が一致');
    expect(reasons).toContain('−30 電話番号が異なる');
    await waitFor(() => expect(within(compare).getAllByTestId('dedupe-field').length).toBeGreaterThan(5));
    const row = (field: string) => within(compare).getAllByTestId('dedupe-field').find((r) => r.dataset.field === field);
    expect(row('family_name')?.dataset.differs).toBe('true');
    expect(row('email')?.dataset.differs).toBe('false');
    expect(row('mobile')?.textContent).toContain('（空欄）');
    expect(within(compare).getByTestId('dedupe-activities-a').textContent).toBe('4');
    expect(within(compare).getByTestId('dedupe-activities-b').textContent).toBe('7');
    // Defaults: the most recent non-empty value (lead 9 was updated later).
    expect((within(compare).getByTestId('dedupe-pick-title-b') as HTMLInputElement).checked).toBe(true);
    expect((within(compare).getByTestId('dedupe-pick-mobile-b') as HTMLInputElement).checked).toBe(true);
  });

  it('merges with the field chosen on each side and moves to the next pair', async () => {
    const ipc = backend({
      lead_merge: () => ({ mergeId: 1, survivorId: 3, mergedId: 9, fieldsFromMerged: ['title'], activitiesMoved: 7, historyMoved: 0, consentsMoved: 0, contactsMoved: 0, secondaryContactsAdded: 0, consentState: 'opted_in', lifecycleStage: 'sql' }),
    });
    const compare = await openQueue();
    await waitFor(() => within(compare).getByTestId('dedupe-pick-family_name-a'));
    await fireEvent.click(within(compare).getByTestId('dedupe-pick-family_name-b'));
    await fireEvent.click(within(compare).getByTestId('dedupe-pick-title-a'));
    await fireEvent.click(within(compare).getByTestId('dedupe-merge'));
    await waitFor(() => expect(ipc.argsOf('lead_merge')).toHaveLength(1));
    const args = ipc.argsOf('lead_merge')[0] as { survivor: number; merged: number; choices: MergeChoices };
    expect(args.survivor).toBe(3);
    expect(args.merged).toBe(9);
    expect(args.choices.fields.family_name).toBe('merged');
    expect(args.choices.fields.title).toBe('survivor');
    expect(args.choices.fields.mobile).toBe('merged');
    // Pairs naming lead 9 are gone; the next pair is shown.
    await waitFor(() => expect(screen.getByTestId('dedupe-compare').getAttribute('data-pair')).toBe('3-20'));
    expect(screen.getByTestId('dedupe-count').textContent).toBe('2組');
    expect(document.body.textContent).toContain('活動7件を移動');
  });

  it('keeps the other record when asked, and says why a merge was refused', async () => {
    const ipc = backend({
      lead_merge: () => {
        throw appError('conflict', 'the merged lead 3 was already merged into lead 77 (merge 5)');
      },
    });
    const compare = await openQueue();
    await waitFor(() => within(compare).getByTestId('dedupe-keep-b'));
    await fireEvent.click(within(compare).getByTestId('dedupe-keep-b'));
    await fireEvent.click(within(compare).getByTestId('dedupe-merge'));
    const error = await within(compare).findByTestId('dedupe-error');
    expect(error.textContent).toContain('この操作はできません。');
    expect(error.textContent).toContain('already merged into lead 77');
    const args = ipc.argsOf('lead_merge')[0] as { survivor: number; merged: number };
    expect([args.survivor, args.merged]).toEqual([9, 3]);
    expect(screen.getByTestId('dedupe-count').textContent).toBe('3組');
  });

  it('remembers a pair as not duplicates and drops it from the list', async () => {
    const ipc = backend({ lead_not_duplicate: () => null });
    const compare = await openQueue();
    await fireEvent.click(await within(compare).findByTestId('dedupe-not-duplicate'));
    await waitFor(() => expect(ipc.argsOf('lead_not_duplicate')).toEqual([{ a: 3, b: 9 }]));
    await waitFor(() => expect(screen.getByTestId('dedupe-count').textContent).toBe('2組'));
  });

  it('shows the bulk merge count first and merges only after confirming', async () => {
    let scans = 0;
    const ipc = backend({
      dedupe_scan: () => {
        scans += 1;
        return scans === 1 ? report([pair(3, 9, 95), pair(9, 12, 92), pair(3, 20, 72), pair(40, 41, 91)]) : report([pair(3, 20, 72)]);
      },
      dedupe_bulk_merge: () => ({
        minConfidence: 90, clustersMerged: 2, leadsMerged: 3, mergeIds: [1, 2, 3], skipped: [],
        backup: { path: '/data/sodate/backups/sodate-20261123-010000-bulk-merge.db', bytes: 1000 }, seconds: 0.4,
      }),
    });
    await openQueue();
    const button = screen.getByTestId('dedupe-bulk');
    expect(button.textContent).toContain('2グループを一括統合');
    await fireEvent.click(button);
    const dialog = await screen.findByTestId('confirm-dialog');
    expect(dialog.textContent).toContain('信頼度90%以上の2グループ');
    expect(dialog.textContent).toContain('3件のリード');
    expect(dialog.textContent).toContain('バックアップ');
    expect(ipc.argsOf('dedupe_bulk_merge')).toHaveLength(0);
    await fireEvent.click(screen.getByTestId('confirm-ok'));
    await waitFor(() => expect(ipc.argsOf('dedupe_bulk_merge')).toEqual([{ minConfidence: 90 }]));
    const done = await screen.findByTestId('dedupe-bulk-report');
    expect(done.textContent).toContain('2グループ・3件のリードを統合しました');
    expect(done.textContent).toContain('sodate-20261123-010000-bulk-merge.db');
    await waitFor(() => expect(screen.getByTestId('dedupe-count').textContent).toBe('1組'));
  });
});
