/** Saving the rows an import could not take, with their reasons, as a CSV the user picks. */

import { t } from '../i18n';
import { ipc } from '../ipc';
import { chooseDestination } from '../ipc/native';

/** `名刺.csv` → `名刺_エラー.csv` (the suggested name of the failed-rows file). */
export function failuresFileName(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  const stem = dot > 0 ? fileName.slice(0, dot) : fileName;
  return `${stem || 'import'}${t('import.failures.fileSuffix')}.csv`;
}

/** Asks where to save, then writes. Resolves to the rows written, or null when cancelled. */
export async function saveFailures(batch: number, fileName: string): Promise<number | null> {
  const path = await chooseDestination(failuresFileName(fileName), t('import.failures.filterName'), 'csv');
  if (!path) return null;
  return ipc.importWriteFailures(batch, path);
}
