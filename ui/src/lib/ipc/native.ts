/**
 * The parts of the desktop shell that are not Sodate commands: the open/save dialogs (dialog
 * plugin) and files dropped onto the window. Each is guarded, so that the UI still works
 * where there is no shell (unit tests with mocked IPC, the mock.html harness): a dialog then
 * answers "nothing chosen" and drops simply never arrive.
 */

import { getCurrentWebview } from '@tauri-apps/api/webview';
import { open, save } from '@tauri-apps/plugin-dialog';

/** Extensions the importers read (CSV/TSV/text, Excel/ODS, vCard). */
export const IMPORT_EXTENSIONS = ['csv', 'tsv', 'txt', 'xlsx', 'xls', 'ods', 'vcf'] as const;

function hasShell(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

/** Asks for one file with one of `extensions`; null when cancelled or when there is no dialog. */
export async function chooseFile(filterName: string, extensions: readonly string[]): Promise<string | null> {
  if (!hasShell()) return null;
  const chosen = await open({
    multiple: false,
    directory: false,
    filters: [{ name: filterName, extensions: [...extensions] }],
  });
  return typeof chosen === 'string' ? chosen : null;
}

/** Asks for one file to import; null when cancelled or when there is no dialog. */
export function chooseImportFile(filterName: string): Promise<string | null> {
  return chooseFile(filterName, IMPORT_EXTENSIONS);
}

/** Asks where to save a file of type `extension`; null when cancelled or when there is no dialog. */
export async function chooseDestination(defaultName: string, filterName: string, extension: string): Promise<string | null> {
  if (!hasShell()) return null;
  const chosen = await save({ defaultPath: defaultName, filters: [{ name: filterName, extensions: [extension] }] });
  return chosen ?? null;
}

export type FileDrag = { type: 'enter'; paths: string[] } | { type: 'leave' } | { type: 'drop'; paths: string[] };

/**
 * Follows files dragged onto the window (the shell gives their paths). Returns a synchronous
 * cleanup for `$effect`/`onMount`; without a shell nothing is ever reported.
 */
export function subscribeFileDrops(cb: (drag: FileDrag) => void): () => void {
  let stop: (() => void) | null = null;
  let stopped = false;
  try {
    getCurrentWebview()
      .onDragDropEvent((event) => {
        const payload = event.payload;
        if (payload.type === 'enter') cb({ type: 'enter', paths: payload.paths });
        else if (payload.type === 'drop') cb({ type: 'drop', paths: payload.paths });
        else if (payload.type === 'leave') cb({ type: 'leave' });
      })
      .then(
        (unlisten) => {
          if (stopped) unlisten();
          else stop = unlisten;
        },
        () => {
          // No event plugin (mocked IPC): no drops.
        },
      );
  } catch {
    // No webview metadata outside the shell: no drops.
  }
  return () => {
    stopped = true;
    stop?.();
  };
}
