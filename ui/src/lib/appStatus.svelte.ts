/** What the shell reported at start-up: where the database is and whether it opened. */

import { ipc, toAppError, type AppError, type AppStatus } from './ipc';

export type StartupState =
  | { phase: 'loading' }
  | { phase: 'ready'; status: AppStatus; leadCount: number }
  | { phase: 'failed'; dbPath: string | null; error: AppError };

export const startup = $state<{ state: StartupState }>({ state: { phase: 'loading' } });

export async function loadAppStatus(): Promise<void> {
  startup.state = { phase: 'loading' };
  try {
    const status = await ipc.appStatus();
    if (status.state.status === 'ready') {
      startup.state = { phase: 'ready', status, leadCount: status.state.leadCount };
    } else {
      startup.state = {
        phase: 'failed',
        dbPath: status.dbPath || status.state.error.details.path,
        error: toAppError(status.state.error),
      };
    }
  } catch (error) {
    // Not even the status came back (no shell, a panic in the command …).
    startup.state = { phase: 'failed', dbPath: null, error: toAppError(error) };
  }
}

/** The database path, once known (Settings shows it). */
export function databasePath(): string | null {
  const state = startup.state;
  if (state.phase === 'ready') return state.status.dbPath;
  if (state.phase === 'failed') return state.dbPath;
  return null;
}
