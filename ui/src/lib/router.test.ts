import { describe, expect, it } from 'vitest';
import { navigate, parseRoute, router, routePath } from './router.svelte';

describe('parseRoute', () => {
  it.each([
    ['', { area: 'leads', id: null, mode: null }],
    ['#/leads', { area: 'leads', id: null, mode: null }],
    ['#/leads/new', { area: 'leads', id: null, mode: 'new' }],
    ['#/leads/42', { area: 'leads', id: 42, mode: 'view' }],
    ['#/leads/42/edit', { area: 'leads', id: 42, mode: 'edit' }],
    ['#/board/42', { area: 'board', id: 42, mode: 'view' }],
    ['#/companies/7', { area: 'companies', id: 7, mode: 'view' }],
    ['#/segments', { area: 'segments', id: null, mode: null }],
    ['#/nowhere/1', { area: 'leads', id: null, mode: null }],
    ['#/leads/abc', { area: 'leads', id: null, mode: null }],
  ])('%s', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it('round-trips through routePath', () => {
    for (const path of ['/leads', '/leads/new', '/leads/3', '/leads/3/edit', '/companies/9', '/settings']) {
      expect(routePath(parseRoute(`#${path}`))).toBe(path);
    }
  });

  it('navigate updates the state and the URL', () => {
    navigate('/companies/5');
    expect(router.route).toEqual({ area: 'companies', id: 5, mode: 'view' });
    expect(location.hash).toBe('#/companies/5');
  });
});
