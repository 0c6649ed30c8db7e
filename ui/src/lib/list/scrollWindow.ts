/**
 * Scroll geometry of a virtualised list with fixed row heights.
 *
 * Browsers cap element heights (Chromium about 33.5 M px, Firefox about 17.9 M px, WebKit
 * similar), so a spacer of `rows × rowHeight` stops working at around a million rows of
 * 34 px. The spacer is therefore capped at `maxHeight` and, when the real height exceeds it,
 * the scroll position is mapped proportionally: scrolling to the end of the spacer shows the
 * last row, the middle shows the middle row, and within the viewport rows keep their real
 * height. Below the cap the mapping is the identity.
 */

/** Well under every engine's limit. */
export const MAX_SCROLL_HEIGHT = 10_000_000;

export interface ScrollGeometry {
  rowCount: number;
  rowHeight: number;
  /** Height of the visible area of the body (without the sticky header). */
  viewportHeight: number;
  maxHeight?: number;
}

export interface VisibleWindow {
  /** First and last row index to render (inclusive, overscan included); last < first = none. */
  start: number;
  end: number;
  /** First row at least partly visible. */
  firstVisible: number;
  /** Position of row `start`, in spacer (scroll) coordinates. */
  top: number;
  /** The virtual (real-height) scroll offset the scroll position maps to. */
  virtualTop: number;
}

export function realHeight(g: ScrollGeometry): number {
  return g.rowCount * g.rowHeight;
}

/** Height of the scrollable spacer: the real height, capped. */
export function spacerHeight(g: ScrollGeometry): number {
  return Math.min(realHeight(g), g.maxHeight ?? MAX_SCROLL_HEIGHT);
}

/** Virtual pixels per spacer pixel (1 below the cap). */
function scale(g: ScrollGeometry): number {
  const realRange = Math.max(0, realHeight(g) - g.viewportHeight);
  const spacerRange = Math.max(0, spacerHeight(g) - g.viewportHeight);
  return spacerRange > 0 ? realRange / spacerRange : 1;
}

/** The virtual offset shown at scroll position `scrollTop`. */
export function toVirtual(scrollTop: number, g: ScrollGeometry): number {
  const spacerRange = Math.max(0, spacerHeight(g) - g.viewportHeight);
  const clamped = Math.min(Math.max(0, scrollTop), spacerRange);
  return clamped * scale(g);
}

/** The scroll position that shows virtual offset `virtualTop`. */
export function toScroll(virtualTop: number, g: ScrollGeometry): number {
  const realRange = Math.max(0, realHeight(g) - g.viewportHeight);
  const clamped = Math.min(Math.max(0, virtualTop), realRange);
  return clamped / scale(g);
}

/** Rows to render for `scrollTop`, with `overscan` rows above and below. */
export function visibleWindow(scrollTop: number, g: ScrollGeometry, overscan = 8): VisibleWindow {
  if (g.rowCount <= 0 || g.rowHeight <= 0) {
    return { start: 0, end: -1, firstVisible: 0, top: 0, virtualTop: 0 };
  }
  const spacerRange = Math.max(0, spacerHeight(g) - g.viewportHeight);
  const clampedScroll = Math.min(Math.max(0, scrollTop), spacerRange);
  const virtualTop = toVirtual(clampedScroll, g);
  const firstVisible = Math.min(g.rowCount - 1, Math.floor(virtualTop / g.rowHeight));
  const lastVisible = Math.min(
    g.rowCount - 1,
    Math.max(firstVisible, Math.ceil((virtualTop + g.viewportHeight) / g.rowHeight) - 1),
  );
  const start = Math.max(0, firstVisible - overscan);
  const end = Math.min(g.rowCount - 1, lastVisible + overscan);
  // Row i sits at virtual offset i·h; on screen it is (i·h − virtualTop) below the top of the
  // viewport, and the viewport's top is at `clampedScroll` in spacer coordinates.
  const top = clampedScroll + (start * g.rowHeight - virtualTop);
  return { start, end, firstVisible, top, virtualTop };
}

/** The scroll position that brings row `index` fully into view with the least movement
 * (unchanged when it already is). */
export function scrollTopToReveal(index: number, scrollTop: number, g: ScrollGeometry): number {
  const virtualTop = toVirtual(scrollTop, g);
  const rowTop = index * g.rowHeight;
  const rowBottom = rowTop + g.rowHeight;
  if (rowTop < virtualTop) return toScroll(rowTop, g);
  if (rowBottom > virtualTop + g.viewportHeight) {
    return toScroll(rowBottom - g.viewportHeight, g);
  }
  return scrollTop;
}
