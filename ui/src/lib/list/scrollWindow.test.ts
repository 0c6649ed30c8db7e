import { describe, expect, it } from 'vitest';
import {
  MAX_SCROLL_HEIGHT,
  scrollTopToReveal,
  spacerHeight,
  toScroll,
  toVirtual,
  visibleWindow,
  type ScrollGeometry,
} from './scrollWindow';

const ROW = 34;

function geometry(rowCount: number, viewportHeight = 680): ScrollGeometry {
  return { rowCount, rowHeight: ROW, viewportHeight };
}

describe('scroll window below the height cap', () => {
  const g = geometry(2000);

  it('uses the real height as the spacer', () => {
    expect(spacerHeight(g)).toBe(2000 * ROW);
  });

  it('shows the first rows at the top, with overscan below only', () => {
    const win = visibleWindow(0, g, 5);
    expect(win.firstVisible).toBe(0);
    expect(win.start).toBe(0);
    // 680 px show rows 0..19; plus 5 rows of overscan.
    expect(win.end).toBe(24);
    expect(win.top).toBe(0);
  });

  it('maps scroll pixels one to one', () => {
    const win = visibleWindow(ROW * 500 + 10, g, 5);
    expect(win.firstVisible).toBe(500);
    expect(win.start).toBe(495);
    expect(win.end).toBe(520 + 5);
    // Rows sit at their real offsets.
    expect(win.top).toBe(495 * ROW);
  });

  it('stops at the last row', () => {
    const win = visibleWindow(1e9, g, 5);
    expect(win.end).toBe(1999);
    expect(win.firstVisible).toBe(2000 - 20);
  });

  it('renders nothing for an empty list', () => {
    const win = visibleWindow(0, geometry(0), 5);
    expect(win.end).toBeLessThan(win.start);
  });
});

describe('scroll window for a million rows (spacer capped)', () => {
  const g = geometry(1_000_000);
  const maxScroll = spacerHeight(g) - g.viewportHeight;

  it('caps the spacer far below the browsers’ element-height limits', () => {
    expect(1_000_000 * ROW).toBeGreaterThan(33_000_000);
    expect(spacerHeight(g)).toBe(MAX_SCROLL_HEIGHT);
  });

  it('maps the top, the middle and the end of the scrollbar to the same rows', () => {
    expect(visibleWindow(0, g, 0).firstVisible).toBe(0);

    const middle = visibleWindow(maxScroll / 2, g, 0);
    const expectedMiddle = Math.floor((1_000_000 * ROW - g.viewportHeight) / 2 / ROW);
    expect(middle.firstVisible).toBe(expectedMiddle);

    const end = visibleWindow(maxScroll, g, 0);
    expect(end.end).toBe(999_999);
    expect(end.firstVisible).toBe(1_000_000 - 20);
  });

  it('places the rendered rows inside the visible part of the spacer', () => {
    for (const fraction of [0.1, 0.37, 0.5, 0.99]) {
      const scrollTop = maxScroll * fraction;
      const win = visibleWindow(scrollTop, g, 0);
      // The first visible row starts at most one row above the viewport top.
      expect(win.top).toBeLessThanOrEqual(scrollTop);
      expect(win.top).toBeGreaterThan(scrollTop - ROW);
      expect(win.top + (win.end - win.start + 1) * ROW).toBeGreaterThanOrEqual(scrollTop + g.viewportHeight);
    }
  });

  it('converts between scroll and virtual offsets both ways', () => {
    const virtual = 12_345_678;
    expect(toVirtual(toScroll(virtual, g), g)).toBeCloseTo(virtual, 3);
    expect(toVirtual(maxScroll, g)).toBe(1_000_000 * ROW - g.viewportHeight);
  });

  it('reveals a far row by scrolling proportionally', () => {
    const scrollTop = scrollTopToReveal(600_000, 0, g);
    const win = visibleWindow(scrollTop, g, 0);
    expect(600_000).toBeGreaterThanOrEqual(win.firstVisible);
    expect(600_000).toBeLessThanOrEqual(win.end);
    expect(scrollTop).toBeLessThanOrEqual(maxScroll);
  });
});

describe('scrollTopToReveal', () => {
  const g = geometry(2000);

  it('leaves the scroll position alone when the row is visible', () => {
    expect(scrollTopToReveal(5, 0, g)).toBe(0);
  });

  it('scrolls up to a row above and down to a row below', () => {
    expect(scrollTopToReveal(10, 100 * ROW, g)).toBe(10 * ROW);
    expect(scrollTopToReveal(40, 0, g)).toBe(41 * ROW - 680);
  });
});
