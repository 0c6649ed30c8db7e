/**
 * The duplicate review queue: the last scan's pairs (most confident first), the pair being
 * reviewed, and what happens to the list as pairs are merged, dismissed or skipped. Kept at
 * module level so that leaving the page and coming back keeps the place.
 */

import { errorWithReason } from '../errors';
import { clusterCount } from './clusters';
import { t } from '../i18n';
import {
  IpcError,
  ipc,
  onDedupeProgress,
  type BulkMergeReport,
  type CandidatePair,
  type DedupeProgress,
  type ScanReport,
} from '../ipc';

/** The thresholds offered for the queue and for bulk merges. */
export const QUEUE_THRESHOLDS = [50, 60, 70, 80, 90] as const;
export const BULK_THRESHOLDS = [90, 80, 70] as const;

export function pairKey(pair: Pick<CandidatePair, 'a' | 'b'>): string {
  return `${pair.a}-${pair.b}`;
}

class ReviewQueue {
  minConfidence = $state<number>(50);
  report = $state<ScanReport | null>(null);
  pairs = $state<CandidatePair[]>([]);
  selected = $state<string | null>(null);
  scanning = $state(false);
  progress = $state<DedupeProgress | null>(null);
  error = $state<string | null>(null);
  /** The threshold of the last scan. */
  scannedThreshold = $state<number>(50);
  /** Merges done since the scan (shown in the header). */
  merged = $state(0);

  get current(): CandidatePair | null {
    return this.pairs.find((p) => pairKey(p) === this.selected) ?? null;
  }

  async scan(): Promise<void> {
    if (this.scanning) return;
    this.scanning = true;
    this.error = null;
    this.progress = null;
    let stop: (() => void) | null = null;
    try {
      stop = await onDedupeProgress((p) => (this.progress = p)).catch(() => null);
      const threshold = this.minConfidence;
      const report = await ipc.dedupeScan({ minConfidence: threshold, maxBlockSize: 50 });
      this.report = report;
      this.scannedThreshold = threshold;
      this.pairs = report.pairs;
      this.merged = 0;
      this.selected = report.pairs[0] ? pairKey(report.pairs[0]) : null;
    } catch (error) {
      this.error = error instanceof IpcError && error.code === 'cancelled' ? t('dedupe.scan.cancelled') : errorWithReason(error);
    } finally {
      stop?.();
      this.scanning = false;
      this.progress = null;
    }
  }

  cancel(): void {
    void ipc.dedupeCancel().catch(() => undefined);
  }

  /** Drops pairs from the list and selects the next one in order. */
  private drop(remove: (pair: CandidatePair) => boolean): void {
    const index = this.pairs.findIndex((p) => pairKey(p) === this.selected);
    const kept = this.pairs.filter((p) => !remove(p));
    this.pairs = kept;
    const next = kept[Math.min(Math.max(index, 0), kept.length - 1)];
    this.selected = next ? pairKey(next) : null;
  }

  /** After a merge: pairs naming the lead merged away are gone. */
  afterMerge(mergedId: number): void {
    this.merged += 1;
    this.drop((p) => p.a === mergedId || p.b === mergedId);
  }

  /** After "not a duplicate" or "skip": only this pair leaves the list. */
  dismiss(pair: CandidatePair): void {
    const key = pairKey(pair);
    this.drop((p) => pairKey(p) === key);
  }

  /** After a bulk merge the list is found again. */
  async afterBulkMerge(report: BulkMergeReport): Promise<void> {
    this.merged += report.leadsMerged;
    await this.scan();
  }

  /** Clusters and leads a bulk merge at `threshold` would merge, from the last scan. */
  bulkCount(threshold: number): { clusters: number; leads: number } {
    return clusterCount(this.pairs, threshold);
  }
}

export const reviewQueue = new ReviewQueue();
