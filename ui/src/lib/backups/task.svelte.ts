/**
 * The backup, restore or integrity check running now. It lives outside Settings so that it
 * survives leaving that screen: the tray shows it (with its progress) in every other area.
 */
import { subscribeBackupProgress } from '../ipc';

export type BackupWork = 'backup' | 'restore' | 'check';

export const backupTask = $state<{ work: BackupWork | null; fraction: number | null }>({ work: null, fraction: null });

/** Runs `job` as the backup task; the shell's `backup-progress` events move its bar. */
export async function runBackupTask<T>(work: BackupWork, job: () => Promise<T>): Promise<T> {
  backupTask.work = work;
  backupTask.fraction = null;
  const stop = subscribeBackupProgress((p) => {
    backupTask.fraction = p.pagesTotal > 0 ? p.pagesDone / p.pagesTotal : null;
  });
  try {
    return await job();
  } finally {
    stop();
    backupTask.work = null;
    backupTask.fraction = null;
  }
}
