import { describe, expect, it, vi } from 'vitest';
import type { LeadQuery } from '../ipc';
import { leadPage } from '../../test/fixtures';
import { LeadListState } from './leadList.svelte';

describe('LeadListState', () => {
  it('starts newest first and asks the server in pages of 100', () => {
    const fetch = vi.fn((q: LeadQuery) => Promise.resolve(leadPage(q, 10)));
    const state = new LeadListState(fetch);
    state.list.ensureRange(0, 20);
    expect(fetch).toHaveBeenCalledWith({ search: null, sort: 'updated_at', descending: true, offset: 0, limit: 100 });
  });

  it('flips the direction on the same column and starts names A→Z', () => {
    const fetch = vi.fn((q: LeadQuery) => Promise.resolve(leadPage(q, 10)));
    const state = new LeadListState(fetch);
    state.toggleSort('updated_at');
    expect([state.sort, state.descending]).toEqual(['updated_at', false]);
    state.toggleSort('name');
    expect([state.sort, state.descending]).toEqual(['name', false]);
    state.toggleSort('name');
    expect([state.sort, state.descending]).toEqual(['name', true]);
    state.toggleSort('engagement_score');
    expect([state.sort, state.descending]).toEqual(['engagement_score', true]);
    expect(fetch.mock.calls.at(-1)?.[0]).toMatchObject({ sort: 'engagement_score', descending: true, offset: 0 });
  });

  it('sends the trimmed search and only refetches when it changed', () => {
    const fetch = vi.fn((q: LeadQuery) => Promise.resolve(leadPage(q, 10)));
    const state = new LeadListState(fetch);
    expect(state.setSearch('  佐藤 ')).toBe(true);
    expect(fetch.mock.calls.at(-1)?.[0]).toMatchObject({ search: '佐藤', offset: 0 });
    expect(state.setSearch('佐藤')).toBe(false);
    expect(fetch).toHaveBeenCalledTimes(1);
    state.setSearch('   ');
    expect(fetch.mock.calls.at(-1)?.[0]).toMatchObject({ search: null });
  });

  it('limits the list to a segment and back to every lead', () => {
    const fetch = vi.fn((q: LeadQuery) => Promise.resolve(leadPage(q, 10)));
    const state = new LeadListState(fetch);
    state.setSegment(7);
    state.list.ensureRange(0, 20);
    expect(fetch.mock.calls.at(-1)?.[0]).toMatchObject({ segment: 7, offset: 0 });
    state.setSegment(null);
    state.list.ensureRange(0, 20);
    expect(fetch.mock.calls.at(-1)?.[0]).not.toHaveProperty('segment');
  });
});
