/** ⌘K / Ctrl+K: a request to focus the search of the current list, taken by whichever view
 * owns a search field (it may mount after the request, when the shortcut switched areas). */

export const searchFocus = $state<{ pending: boolean }>({ pending: false });

export function requestSearchFocus(): void {
  searchFocus.pending = true;
}

/** True once for each request; the caller then focuses its field. */
export function takeSearchFocusRequest(): boolean {
  if (!searchFocus.pending) return false;
  searchFocus.pending = false;
  return true;
}

export function isSearchShortcut(event: KeyboardEvent): boolean {
  return (event.metaKey || event.ctrlKey) && !event.altKey && event.key.toLowerCase() === 'k';
}
