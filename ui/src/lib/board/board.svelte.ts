/**
 * The board's state: the filters, the columns (counts and the cards loaded so far, a page at a
 * time), and a move in progress — which may first need a reason or a confirmation. Server
 * state is reloaded after every change rather than patched, except that a moved card leaves
 * its column at once (the reload then brings the true counts).
 */

import { ipc, type Board, type BoardCard, type BoardFilter, type MoveOutcome } from '../ipc';
import { moveStep, type MoveStep } from './stages';

/** Cards fetched per column page. */
export const PAGE_SIZE = 50;

/** A move waiting for the user: the reason dialog or the BANT confirmation. */
export interface PendingMove {
  card: BoardCard;
  to: string;
  step: Exclude<MoveStep, 'direct' | 'same'>;
}

export class BoardState {
  filter = $state<BoardFilter>({ owner: null, event: null, segment: null, overdueOnly: false });
  board = $state<Board | null>(null);
  error = $state<unknown>(null);
  loading = $state(false);
  pending = $state<PendingMove | null>(null);
  moveError = $state<unknown>(null);
  moving = $state(false);
  /** How long the last board load took, in ms (shown for the benchmark notes). */
  lastLoadMs = $state(0);
  #seq = 0;

  async load(): Promise<void> {
    const seq = ++this.#seq;
    this.loading = true;
    const started = performance.now();
    try {
      const board = await ipc.boardGet($state.snapshot(this.filter), PAGE_SIZE);
      if (seq !== this.#seq) return;
      this.board = board;
      this.error = null;
      this.lastLoadMs = performance.now() - started;
    } catch (error) {
      if (seq === this.#seq) this.error = error;
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  column(stage: string) {
    return this.board?.columns.find((c) => c.stage === stage) ?? null;
  }

  /** Loads the next page of a column's cards. */
  async more(stage: string): Promise<void> {
    const column = this.column(stage);
    if (!column) return;
    const page = await ipc.boardColumn(stage, $state.snapshot(this.filter), column.page.cards.length, PAGE_SIZE);
    const current = this.column(stage);
    if (!current) return;
    const fresh = page.cards.filter((c) => !current.page.cards.some((k) => k.id === c.id));
    current.page.cards = [...current.page.cards, ...fresh];
    current.page.total = page.total;
  }

  /** Starts moving `card` to `to`: moves at once, or opens what the move needs first.
   * Resolves to the outcome when the move was made now. */
  async request(card: BoardCard, to: string): Promise<MoveOutcome | null> {
    const step = moveStep(card.stage, to, card.bant);
    if (step === 'same') return null;
    this.moveError = null;
    if (step === 'direct') return this.commit(card, to, '', '', false);
    this.pending = { card, to, step };
    return null;
  }

  /** Completes the pending move with the user's answer. */
  async confirm(reason = '', note = ''): Promise<MoveOutcome | null> {
    const p = this.pending;
    if (!p) return null;
    return this.commit(p.card, p.to, reason, note, p.step === 'confirmBant');
  }

  cancel(): void {
    this.pending = null;
    this.moveError = null;
    // A card dropped in another column goes back where it was.
    void this.load();
  }

  async commit(card: BoardCard, to: string, reason: string, note: string, confirmBant: boolean): Promise<MoveOutcome | null> {
    this.moving = true;
    try {
      const out = await ipc.boardMove(card.id, { stage: to, reason, note, confirmIncompleteBant: confirmBant });
      this.pending = null;
      this.moveError = null;
      this.#removeCard(card.id);
      void this.load();
      return out;
    } catch (error) {
      this.moveError = error;
      if (!this.pending) void this.load();
      return null;
    } finally {
      this.moving = false;
    }
  }

  #removeCard(id: number) {
    for (const column of this.board?.columns ?? []) {
      column.page.cards = column.page.cards.filter((c) => c.id !== id);
    }
  }
}
