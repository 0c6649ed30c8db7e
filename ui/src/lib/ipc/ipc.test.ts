import { describe, expect, it } from 'vitest';
import { mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import { appError, leadPage } from '../../test/fixtures';
import { ipc, IpcError, onDbChanged, onImportProgress, type DbChange, type ImportPlan, type ImportProgress, type LeadQuery } from './index';

const query: LeadQuery = { search: '山田', sort: 'name', descending: false, offset: 0, limit: 100 };

describe('ipc', () => {
  it('invokes the snake_case command with named arguments and returns the data', async () => {
    const seen: { cmd: string; args: unknown }[] = [];
    mockIPC((cmd, args) => {
      seen.push({ cmd, args });
      return leadPage((args as { query: LeadQuery }).query, 3);
    });
    const page = await ipc.leadList(query);
    expect(seen).toEqual([{ cmd: 'lead_list', args: { query } }]);
    expect(page.total).toBe(3);
    expect(page.rows.map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it('passes id and input to lead_update', async () => {
    let args: unknown;
    mockIPC((_cmd, a) => {
      args = a;
      return null;
    });
    await ipc.leadDelete(9);
    expect(args).toEqual({ id: 9 });
  });

  it('throws an IpcError carrying code, message and field issues', async () => {
    const fields = [{ field: 'email', code: 'invalid_email', message: 'not an email' }];
    mockIPC(() => {
      throw appError('invalid', 'invalid input', fields);
    });
    const error = await ipc.leadGet(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IpcError);
    expect((error as IpcError).code).toBe('invalid');
    expect((error as IpcError).message).toBe('invalid input');
    expect((error as IpcError).details.fields).toEqual(fields);
  });

  it('turns a bare string rejection (Tauri’s own errors) into an internal IpcError', async () => {
    mockIPC(() => {
      throw 'command lead_get not found';
    });
    const error = await ipc.leadGet(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IpcError);
    expect((error as IpcError).code).toBe('internal');
    expect((error as IpcError).message).toBe('command lead_get not found');
  });

  it('appStatus returns the status itself', async () => {
    mockIPC(() => ({ dbPath: '/tmp/a.db', state: { status: 'ready', leadCount: 5 } }));
    await expect(ipc.appStatus()).resolves.toEqual({ dbPath: '/tmp/a.db', state: { status: 'ready', leadCount: 5 } });
  });

  it('onDbChanged delivers the db-changed payload until stopped', async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const got: DbChange[] = [];
    const stop = await onDbChanged((change) => got.push(change));
    await emit('db-changed', { entity: 'lead', ids: [3] });
    expect(got).toEqual([{ entity: 'lead', ids: [3] }]);
    stop();
    await emit('db-changed', { entity: 'lead', ids: [4] });
    expect(got).toHaveLength(1);
  });

  it('passes the import plan and the dry-run flag, and delivers import progress', async () => {
    const seen: { cmd: string; args: unknown }[] = [];
    mockIPC(
      (cmd, args) => {
        seen.push({ cmd, args });
        return { batch: null, rows: 0, created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0, format: 'csv', encoding: 'utf-8', dryRun: true, failures: [] };
      },
      { shouldMockEvents: true },
    );
    const plan: ImportPlan = {
      path: '/tmp/a.csv',
      options: { format: null, encoding: 'shift_jis', sheet: null },
      preset: 'eight',
      mapping: null,
      mode: 'upsert',
      keepExisting: ['email'],
      tags: ['展示会'],
      source: '',
      event: null,
    };
    await ipc.importRun(plan, true);
    await ipc.importUndo(4);
    expect(seen.filter((c) => !c.cmd.startsWith('plugin:'))).toEqual([
      { cmd: 'import_run', args: { plan, dryRun: true } },
      { cmd: 'import_undo', args: { batch: 4 } },
    ]);
    const got: ImportProgress[] = [];
    const stop = await onImportProgress((p) => got.push(p));
    await emit('import-progress', { rows: 5000, fraction: 0.25 });
    stop();
    expect(got).toEqual([{ rows: 5000, fraction: 0.25 }]);
  });
});
