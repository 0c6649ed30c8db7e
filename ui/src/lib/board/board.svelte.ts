/**
 * The board's state: the filters, the columns (counts and the cards loaded so far, a page at a
 * time), and a move in progress — which may first need a reason or a confirmation. Server
 * state is reloaded after every change rather than patched, with one exception: once the core
 * has recorded a move, the card changes column and both columns' counts change at once (a
 * move is ≤ 50 ms end to end; a reload of a large board is not). The reload that the shell's
 * `db-changed` event after the move starts (BoardView listens) then brings the true state.
 *
 * Timed in the page (`lib/timing.ts`): the first render of the board, each move to the card
 * in its new column, and each move to the board reloaded after it.
 */

import { ipc, type Board, type BoardCard, type BoardFilter, type MoveOutcome } from '../ipc';
import { startTiming, TIMINGS, type Timing } from '../timing';
import { moveStep, type MoveStep } from './stages';

/** Cards fetched per column page. */
export const PAGE_SIZE = 50;

/** Cards a column renders at first, and then at a time as it is scrolled (a card is about
 * 150 px high: more than a column's height in an 860 px window; in a taller one the next
 * step follows at once). */
export const RENDER_STEP = 8;

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
  #seq = 0;
  /** Started when the board is opened (this state is created with its view). */
  #firstRender: Timing | null = startTiming(TIMINGS.boardFirstRender);
  /** The last move, until a board loaded after it is on screen. */
  #moveReload: Timing | null = null;
  /** Until a move under way is on screen: a reload (which its db-changed event starts, maybe
   * before the move's answer arrives) waits for it rather than taking its frame. */
  #moveShown: Promise<unknown> = Promise.resolve();

  async load(): Promise<void> {
    await this.#moveShown;
    const seq = ++this.#seq;
    const started = performance.now();
    this.loading = true;
    try {
      const board = await ipc.boardGet($state.snapshot(this.filter), PAGE_SIZE);
      if (seq !== this.#seq) return;
      this.board = board;
      this.error = null;
      const loaded = board.columns.reduce((n, c) => n + c.page.cards.length, 0);
      void this.#firstRender?.end({ loaded });
      this.#firstRender = null;
      if (this.#moveReload && this.#moveReload.start <= started) {
        void this.#moveReload.end({ loaded });
        this.#moveReload = null;
      }
    } catch (error) {
      if (seq === this.#seq) this.error = error;
      this.#firstRender?.drop();
      this.#firstRender = null;
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
    const started = performance.now();
    const step = moveStep(card.stage, to, card.bant);
    if (step === 'same') return null;
    this.moveError = null;
    if (step === 'direct') return this.commit(card, to, '', '', false, started);
    this.pending = { card, to, step };
    return null;
  }

  /** Completes the pending move with the user's answer. */
  async confirm(reason = '', note = ''): Promise<MoveOutcome | null> {
    const started = performance.now();
    const p = this.pending;
    if (!p) return null;
    return this.commit(p.card, p.to, reason, note, p.step === 'confirmBant', started);
  }

  cancel(): void {
    this.pending = null;
    this.moveError = null;
    // A card dropped in another column goes back where it was.
    void this.load();
  }

  /** Makes the move; `started` is when the user made it (for its timing). */
  async commit(
    card: BoardCard,
    to: string,
    reason: string,
    note: string,
    confirmBant: boolean,
    started = performance.now(),
  ): Promise<MoveOutcome | null> {
    this.moving = true;
    let shown = (): void => undefined;
    this.#moveShown = new Promise((resolve) => (shown = () => resolve(null)));
    try {
      const out = await ipc.boardMove(card.id, { stage: to, reason, note, confirmIncompleteBant: confirmBant });
      this.pending = null;
      this.moveError = null;
      this.#showMoved(card, out);
      void startTiming(TIMINGS.boardMove, started)
        .end({ lead: card.id, from: card.stage, to: out.toStage })
        .finally(shown);
      this.#moveReload?.drop();
      this.#moveReload = startTiming(TIMINGS.boardMoveReloaded, started);
      return out;
    } catch (error) {
      shown();
      this.moveError = error;
      if (!this.pending) void this.load();
      return null;
    } finally {
      this.moving = false;
    }
  }

  /** Shows a recorded move: the card leaves every column; it enters its new one at the end
   * (the column is ordered by time in the stage, and it has just entered) when that column's
   * cards are all loaded; both columns' counts follow. */
  #showMoved(card: BoardCard, out: MoveOutcome) {
    const board = this.board;
    if (!board) return;
    for (const column of board.columns) {
      const left = column.page.cards.filter((c) => c.id !== card.id);
      if (left.length === column.page.cards.length) continue;
      column.page.cards = left;
      column.count = Math.max(0, column.count - 1);
      column.page.total = Math.max(0, column.page.total - 1);
      if (card.sla === 'overdue') column.overdue = Math.max(0, column.overdue - 1);
    }
    const target = board.columns.find((c) => c.stage === out.toStage);
    if (!target) return;
    target.count += 1;
    // Just entered: never overdue, so not on a board filtered to overdue cards.
    if (this.filter.overdueOnly) return;
    const allLoaded = target.page.cards.length === target.page.total;
    target.page.total += 1;
    if (allLoaded) {
      const sla = target.slaDays > 0 ? 'on_time' : 'none';
      target.page.cards = [...target.page.cards, { ...card, stage: out.toStage, stageChangedAt: out.changedAt, daysInStage: 0, sla }];
    }
  }
}
