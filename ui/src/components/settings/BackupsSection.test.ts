import { beforeEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import type { Backup } from '../../lib/ipc';
import { setLocale } from '../../lib/i18n/locale.svelte';
import { appError, mockCommands } from '../../test/fixtures';
import { emit } from '@tauri-apps/api/event';
import { backupTask } from '../../lib/backups/task.svelte';
import BackupTray from './BackupTray.svelte';
import BackupsSection from './BackupsSection.svelte';

const backup = (reason: Backup['reason'], createdAt: string, leads: number, bytes: number): Backup => ({
  path: `/data/backups/sodate-${createdAt}-${reason}.db`,
  bytes,
  reason,
  createdAt,
  schemaVersion: 8,
  leads,
});

const list = [
  backup('import', '2026-11-22T05:30:00Z', 1200, 2_400_000),
  backup('daily', '2026-11-21T00:10:00Z', 1180, 2_300_000),
];

describe('BackupsSection', () => {
  beforeEach(() => setLocale('ja'));

  it('a backup goes on in the tray with its progress when Settings is left', async () => {
    let finish: () => void = () => {};
    mockCommands({
      backups_list: () => list,
      backup_now: () =>
        new Promise((resolve) => {
          finish = () => resolve(backup('manual', '2026-11-23T09:00:00Z', 1200, 2_400_000));
        }),
    });
    const settings = render(BackupsSection);
    render(BackupTray);
    await fireEvent.click(await screen.findByTestId('backup-now'));
    await waitFor(() => expect(backupTask.work).toBe('backup'));
    settings.unmount();
    await emit('backup-progress', { pagesDone: 30, pagesTotal: 120 });
    const tray = await screen.findByTestId('backup-tray');
    await waitFor(() => expect(tray.textContent).toContain('25%'));
    expect(tray.textContent).toContain('バックアップしています');
    finish();
    await waitFor(() => expect(backupTask.work).toBeNull());
  });

  it('lists the backups with date, reason, leads and size', async () => {
    mockCommands({ backups_list: () => list });
    render(BackupsSection);
    const rows = await screen.findAllByTestId('backup-row');
    expect(rows).toHaveLength(2);
    expect(rows[0]?.textContent).toContain('取り込みの前');
    expect(rows[0]?.textContent).toContain('1,200');
    expect(rows[0]?.textContent).toContain('2.4 MB');
    expect(rows[1]?.textContent).toContain('毎日の自動');
  });

  it('restores only after confirming, names the state it goes back to, and reloads the list', async () => {
    let restored: string | null = null;
    const ipc = mockCommands({
      backups_list: () => list,
      backup_restore: (args) => {
        restored = args.path as string;
        return { restoredFrom: restored, safetyBackup: list[0], damagedKeptAt: null, leads: 1200, seconds: 0.4 };
      },
    });
    render(BackupsSection);
    const rows = await screen.findAllByTestId('backup-row');
    await fireEvent.click(within(rows[1] as HTMLElement).getByTestId('backup-restore'));
    const dialog = await screen.findByTestId('confirm-dialog');
    expect(dialog.textContent).toContain('1,180');
    expect(dialog.textContent).toContain('現在の状態は、復元の前にバックアップします');
    expect(ipc.argsOf('backup_restore')).toHaveLength(0);
    await fireEvent.click(screen.getByTestId('confirm-ok'));
    await waitFor(() => expect(restored).toBe(list[1]?.path));
    await waitFor(() => expect(screen.queryByTestId('confirm-dialog')).toBeNull());
    expect(ipc.argsOf('backups_list').length).toBeGreaterThanOrEqual(2);
  });

  it('keeps the dialog open with the reason when the backup is refused', async () => {
    mockCommands({
      backups_list: () => list,
      backup_restore: () => {
        throw appError('invalid', 'the backup failed the integrity check; nothing was changed');
      },
    });
    render(BackupsSection);
    const rows = await screen.findAllByTestId('backup-row');
    await fireEvent.click(within(rows[0] as HTMLElement).getByTestId('backup-restore'));
    await fireEvent.click(await screen.findByTestId('confirm-ok'));
    const dialog = await screen.findByTestId('confirm-dialog');
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent?.trim().length).toBeGreaterThan(0);
    expect(screen.getAllByTestId('backup-row')).toHaveLength(2);
  });

  it('backs up now and runs the integrity check, in English too', async () => {
    setLocale('en');
    let n = 0;
    mockCommands({
      backups_list: () => (n === 0 ? [] : list),
      backup_now: () => {
        n += 1;
        return backup('manual', '2026-11-22T06:00:00Z', 1200, 2_400_000);
      },
      integrity_check: () => ({ integrity: 'ok', problems: [], full: true, schemaVersion: 8, bytes: 2_400_000, seconds: 1.25 }),
    });
    render(BackupsSection);
    expect((await screen.findByTestId('backups-empty')).textContent).toMatch(/No backups yet/);
    await fireEvent.click(screen.getByTestId('backup-now'));
    expect(await screen.findAllByTestId('backup-row')).toHaveLength(2);
    await waitFor(() => expect(screen.getByTestId('integrity-check').hasAttribute('disabled')).toBe(false));
    await fireEvent.click(screen.getByTestId('integrity-check'));
    const result = await screen.findByTestId('integrity-result');
    expect(result.getAttribute('data-integrity')).toBe('ok');
    expect(result.textContent).toContain('No problems found (1.3 s)');
  });
});
