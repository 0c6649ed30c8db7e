/**
 * The export dialog's column list: which columns of a profile are chosen, and in which
 * order. Pure functions, so the rules are tested without the dialog.
 */

export interface ColumnChoice {
  field: string;
  header: string;
  chosen: boolean;
}

/** The profile's columns with its defaults chosen, the defaults first in their order. */
export function initialColumns(columns: { field: string; header: string; default: boolean }[]): ColumnChoice[] {
  return columns.map((c) => ({ field: c.field, header: c.header, chosen: c.default }));
}

/** Moves the column at `index` one place up (-1) or down (+1); a new array. */
export function moveColumn(columns: ColumnChoice[], index: number, by: -1 | 1): ColumnChoice[] {
  const to = index + by;
  if (index < 0 || index >= columns.length || to < 0 || to >= columns.length) return columns;
  const next = [...columns];
  const [moved] = next.splice(index, 1);
  if (moved) next.splice(to, 0, moved);
  return next;
}

/** The chosen fields in order. */
export function chosenFields(columns: ColumnChoice[]): string[] {
  return columns.filter((c) => c.chosen).map((c) => c.field);
}

/** A file name for the export: `<what>-<profile>-<yyyymmdd>.<ext>`, without characters that
 * file systems refuse. */
export function exportFileName(what: string, profile: string, extension: string, today = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${today.getFullYear()}${pad(today.getMonth() + 1)}${pad(today.getDate())}`;
  const safe = what.replace(/[\\/:*?"<>|\s]+/g, '_').slice(0, 60) || 'leads';
  return `${safe}-${profile}-${date}.${extension}`;
}

/** Joins a folder and a file name with the folder's own separator. */
export function joinPath(folder: string, name: string): string {
  const sep = folder.includes('\\') && !folder.includes('/') ? '\\' : '/';
  return folder.endsWith(sep) ? `${folder}${name}` : `${folder}${sep}${name}`;
}
