/**
 * Hash routing: the URL says which area is open and which record its side panel shows, so
 * the webview's back/forward and a reload keep the place.
 *   #/leads            #/leads/new          #/leads/42          #/leads/42/edit
 *   #/companies        #/companies/7        #/settings          #/segments …
 *   #/board            #/board/42 (the board with a lead's panel)
 */

export const AREAS = [
  'leads',
  'companies',
  'duplicates',
  'capture',
  'import',
  'segments',
  'scoring',
  'journeys',
  'board',
  'dashboard',
  'settings',
] as const;

export type Area = (typeof AREAS)[number];

export type PanelMode = 'view' | 'edit' | 'new';

export interface Route {
  area: Area;
  /** The record the side panel shows (a lead in leads, a company in companies). */
  id: number | null;
  mode: PanelMode | null;
}

const DEFAULT_ROUTE: Route = { area: 'leads', id: null, mode: null };

function isArea(value: string): value is Area {
  return (AREAS as readonly string[]).includes(value);
}

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const [area = '', second, third] = parts;
  if (!isArea(area)) return { ...DEFAULT_ROUTE };
  if (area === 'leads' && second === 'new') return { area, id: null, mode: 'new' };
  if ((area === 'leads' || area === 'companies' || area === 'board') && second && /^\d+$/.test(second)) {
    const id = Number(second);
    const mode: PanelMode = area !== 'companies' && third === 'edit' ? 'edit' : 'view';
    return { area, id, mode };
  }
  return { area, id: null, mode: null };
}

export function routePath(route: Route): string {
  if (route.mode === 'new') return `/${route.area}/new`;
  if (route.id !== null) return `/${route.area}/${route.id}${route.mode === 'edit' ? '/edit' : ''}`;
  return `/${route.area}`;
}

function currentHash(): string {
  return typeof location === 'undefined' ? '' : location.hash;
}

export const router = $state<{ route: Route }>({ route: parseRoute(currentHash()) });

/** Opens `path` (e.g. '/leads/42'), adding a history entry. */
export function navigate(path: string): void {
  const route = parseRoute(`#${path}`);
  router.route = route;
  const hash = `#${routePath(route)}`;
  if (typeof location !== 'undefined' && location.hash !== hash) location.hash = hash;
}

/** Follows the URL when it changes outside `navigate` (back/forward). Returns the cleanup. */
export function followLocation(): () => void {
  const onHashChange = () => {
    const route = parseRoute(currentHash());
    if (routePath(route) !== routePath(router.route)) router.route = route;
  };
  window.addEventListener('hashchange', onHashChange);
  return () => window.removeEventListener('hashchange', onHashChange);
}
