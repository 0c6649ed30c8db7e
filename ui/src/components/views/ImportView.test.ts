import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import type { ImportPlan } from '../../lib/ipc';
import { setLocale } from '../../lib/i18n/locale.svelte';
import {
  appError,
  importBatch,
  importInspection,
  importReport,
  mockCommands,
  previewRow,
  settle,
  type Handler,
} from '../../test/fixtures';
import ImportView from './ImportView.svelte';

const PATH = '/home/tanaka/Downloads/eight_sjis.csv';

function planOf(args: Record<string, unknown>): ImportPlan {
  return args.plan as ImportPlan;
}

async function inspectFile(path = PATH) {
  const input = screen.getByTestId('import-path') as HTMLInputElement;
  await fireEvent.input(input, { target: { value: path } });
  await fireEvent.click(screen.getByTestId('import-inspect'));
}

function setup(handlers: Record<string, Handler> = {}) {
  const ipc = mockCommands({
    import_inspect: () => importInspection(),
    import_history: () => [],
    ...handlers,
  });
  render(ImportView);
  return ipc;
}

describe('import wizard', () => {
  it('reads the file and shows the format, encoding, mapping and preview', async () => {
    const ipc = setup();
    expect(screen.getByTestId('import-drop').textContent).toContain('ここにファイルをドロップ');
    await inspectFile();

    await waitFor(() => expect(screen.getAllByTestId('import-mapping-row')).toHaveLength(5));
    const plan = planOf(ipc.argsOf('import_inspect')[0]!);
    expect(plan).toMatchObject({ path: PATH, mapping: null, preset: null, mode: 'create' });
    expect(plan.options).toEqual({ format: null, encoding: null, sheet: null });

    expect(screen.getByTestId('import-file-name').textContent).toBe('eight_sjis.csv');
    expect((screen.getByTestId('import-encoding') as HTMLSelectElement).value).toBe('shift_jis');
    expect(screen.getByTestId('import-encoding').textContent).toContain('Shift_JIS');
    expect(screen.getByTestId('import-encoding-guessed').textContent).toBe('自動判別');
    expect((screen.getByTestId('import-format') as HTMLSelectElement).value).toBe('csv');
    expect((screen.getByTestId('import-preset') as HTMLSelectElement).value).toBe('eight');

    // Each column: its header, samples from the preview, the field, and weak matches marked.
    const rows = screen.getAllByTestId('import-mapping-row');
    expect(rows[1]!.textContent).toContain('姓');
    expect(rows[1]!.textContent).toContain('田中 / 髙橋 / 山﨑');
    expect((screen.getByTestId('import-field-1') as HTMLSelectElement).value).toBe('family_name');
    expect((screen.getByTestId('import-field-4') as HTMLSelectElement).value).toBe('custom');
    expect(rows[4]!.classList.contains('weak')).toBe(true);
    expect(rows[4]!.textContent).toContain('03-1234-5601');
    expect(rows[0]!.classList.contains('weak')).toBe(false);

    // The preview: family name first, an action per row, the problem at its cell.
    const preview = screen.getAllByTestId('import-preview-row');
    expect(preview.map((r) => r.dataset.action)).toEqual(['create', 'create', 'fail']);
    expect(preview.map((r) => r.dataset.row)).toEqual(['2', '3', '4']);
    expect(preview[1]!.textContent).toContain('髙橋 一郎');
    expect(preview[1]!.textContent).toContain('タカハシ イチロウ');
    expect(within(preview[0]!).getByTestId('import-action').textContent).toBe('新規');
    expect(within(preview[2]!).getByTestId('import-action').textContent).toBe('エラー');
    const issue = within(preview[2]!).getByTestId('import-issue');
    expect(issue.textContent).toBe('e-mail: メールアドレスの形式が正しくありません。');
    expect(issue.closest('td')!.classList.contains('issue')).toBe(true);
  });

  it('shows the prefecture once when the stored address starts with it', async () => {
    setup({
      import_inspect: () =>
        importInspection({
          preview: [
            previewRow(2, { familyName: '田中', prefecture: '東京都', address: '東京都千代田区丸の内1-1-1', postalCode: '1000005' }),
            previewRow(3, { familyName: '山﨑', prefecture: '大阪府', address: '大阪市北区梅田1-1-1' }),
          ],
        }),
    });
    await inspectFile();
    const rows = await screen.findAllByTestId('import-preview-row');
    expect(rows[0]!.querySelector('.address')!.textContent).toContain('〒100-0005');
    expect(rows[0]!.querySelector('.address .clamp')!.textContent).toBe('東京都千代田区丸の内1-1-1');
    expect(rows[1]!.querySelector('.address .clamp')!.textContent).toBe('大阪府 大阪市北区梅田1-1-1');
  });

  it('reads the file again with the new mapping when a field changes', async () => {
    const ipc = setup({
      import_inspect: (args) => {
        const plan = planOf(args);
        return importInspection(plan.mapping ? { mapping: plan.mapping, preset: plan.preset } : {});
      },
    });
    await inspectFile();
    const select = (await screen.findByTestId('import-field-4')) as HTMLSelectElement;
    select.value = 'phone';
    await fireEvent.change(select);

    await waitFor(() => expect(ipc.argsOf('import_inspect')).toHaveLength(2));
    const plan = planOf(ipc.argsOf('import_inspect')[1]!);
    expect(plan.mapping).toHaveLength(5);
    expect(plan.mapping![4]).toMatchObject({ index: 4, header: 'TEL直通', field: 'phone' });
    expect(plan.mapping![1]).toMatchObject({ index: 1, field: 'family_name' });
    expect(plan.preset).toBe('eight');
    await waitFor(() => expect((screen.getByTestId('import-field-4') as HTMLSelectElement).value).toBe('phone'));
    expect(screen.getAllByTestId('import-mapping-row')[4]!.textContent).toContain('手動で変更');

    // Keeping a column as a custom field names it after its header; dropping it ignores it.
    select.value = 'ignore';
    await fireEvent.change(select);
    await waitFor(() => expect(ipc.argsOf('import_inspect')).toHaveLength(3));
    expect(planOf(ipc.argsOf('import_inspect')[2]!).mapping![4]!.field).toBe('ignore');
    const first = screen.getByTestId('import-field-0') as HTMLSelectElement;
    first.value = 'custom';
    await fireEvent.change(first);
    await waitFor(() => expect(ipc.argsOf('import_inspect')).toHaveLength(4));
    expect(planOf(ipc.argsOf('import_inspect')[3]!).mapping![0]!.field).toEqual({ custom: '会社名' });
  });

  it('reads the file again in another encoding, with the mapping started afresh', async () => {
    const ipc = setup();
    await inspectFile();
    const encoding = (await screen.findByTestId('import-encoding')) as HTMLSelectElement;
    encoding.value = 'utf-8';
    await fireEvent.change(encoding);
    await waitFor(() => expect(ipc.argsOf('import_inspect')).toHaveLength(2));
    const plan = planOf(ipc.argsOf('import_inspect')[1]!);
    expect(plan.options.encoding).toBe('utf-8');
    expect(plan.mapping).toBeNull();
  });

  it('keeps the file’s controls when reading it another way fails, so the choice can be undone', async () => {
    const ipc = setup({
      import_inspect: (args) => {
        if (planOf(args).options.encoding === 'utf-16le') {
          throw appError('invalid', 'invalid input', [{ field: 'file', code: 'bad_encoding', message: 'row 1, column 1: bytes that are not valid UTF-16LE text' }]);
        }
        return importInspection();
      },
    });
    await inspectFile();
    const encoding = (await screen.findByTestId('import-encoding')) as HTMLSelectElement;
    encoding.value = 'utf-16le';
    await fireEvent.change(encoding);
    expect((await screen.findByTestId('import-error')).textContent).toContain('文字コードが合わない');
    expect((screen.getByTestId('import-run') as HTMLButtonElement).disabled).toBe(true);
    const again = screen.getByTestId('import-encoding') as HTMLSelectElement;
    again.value = 'shift_jis';
    await fireEvent.change(again);
    await waitFor(() => expect(screen.queryByTestId('import-error')).toBeNull());
    expect(planOf(ipc.argsOf('import_inspect')[2]!).options.encoding).toBe('shift_jis');
    expect((screen.getByTestId('import-run') as HTMLButtonElement).disabled).toBe(false);
  });

  it('runs the import and shows what it did', async () => {
    const ipc = setup({ import_run: () => importReport({ created: 18, updated: 1, skipped: 1, failed: 0 }) });
    await inspectFile();
    await fireEvent.click(await screen.findByTestId('import-mode-upsert'));
    await waitFor(() => expect(planOf(ipc.argsOf('import_inspect')[1]!).mode).toBe('upsert'));
    await fireEvent.click(await screen.findByTestId('import-keep-email'));
    const tags = screen.getByTestId('import-tags') as HTMLInputElement;
    await fireEvent.input(tags, { target: { value: '展示会2026, 要フォロー' } });
    const event = screen.getByTestId('import-event') as HTMLInputElement;
    await fireEvent.input(event, { target: { value: 'DX推進EXPO 2026 秋' } });

    await fireEvent.click(screen.getByTestId('import-run'));
    const result = await screen.findByTestId('import-result');
    const [args] = ipc.argsOf('import_run');
    expect(args!.dryRun).toBe(false);
    expect(planOf(args!)).toMatchObject({
      path: PATH,
      mode: 'upsert',
      keepExisting: ['email'],
      tags: ['展示会2026', '要フォロー'],
      event: 'DX推進EXPO 2026 秋',
    });
    expect(within(result).getByTestId('import-created').textContent).toBe('18');
    expect(within(result).getByTestId('import-updated').textContent).toBe('1');
    expect(within(result).getByTestId('import-skipped').textContent).toBe('1');
    expect(within(result).getByTestId('import-failed').textContent).toBe('0');
    expect(result.textContent).toContain('取り込みが完了しました');
    expect(within(result).getByTestId('import-show-leads')).toBeTruthy();
  });

  it('lists the failed rows of a run with their reasons', async () => {
    setup({
      import_run: () =>
        importReport({
          created: 19,
          failed: 1,
          failures: [{ row: 4, issues: [{ column: 'e-mail', field: 'email', code: 'invalid_email', message: 'not an email address' }] }],
        }),
    });
    await inspectFile();
    await fireEvent.click(await screen.findByTestId('import-run'));
    const result = await screen.findByTestId('import-result');
    expect(within(result).getByTestId('import-failed').textContent).toBe('1');
    const failure = within(result).getByTestId('import-failure');
    expect(failure.textContent).toContain('4');
    expect(failure.textContent).toContain('e-mail');
    expect(failure.textContent).toContain('メールアドレスの形式が正しくありません。');
    expect(within(result).getByTestId('import-save-failures')).toBeTruthy();
  });

  it('shows the exact counts of a dry run without writing', async () => {
    const ipc = setup({ import_run: (args) => importReport({ batch: null, dryRun: args.dryRun as boolean, created: 17, failed: 3 }) });
    await inspectFile();
    await fireEvent.click(await screen.findByTestId('import-dry-run'));
    const dry = await screen.findByTestId('import-dry-result');
    expect(ipc.argsOf('import_run')[0]!.dryRun).toBe(true);
    expect(within(dry).getByTestId('import-dry-created').textContent).toBe('17');
    expect(within(dry).getByTestId('import-dry-failed').textContent).toBe('3');
    expect(screen.getByTestId('import-dry-summary').textContent).toContain('まだ書き込んでいません');
    expect(screen.queryByTestId('import-result')).toBeNull();
  });

  it('shows progress while the import runs, and cancels it', async () => {
    let reject: (e: unknown) => void = () => {};
    const ipc = setup({
      import_run: () => new Promise((_resolve, no) => (reject = no)),
      import_cancel: () => {
        reject(appError('cancelled', 'the import was cancelled'));
        return null;
      },
    });
    await inspectFile();
    await fireEvent.click(await screen.findByTestId('import-run'));
    const progress = await screen.findByTestId('import-progress');
    await settle();
    await emit('import-progress', { rows: 12000, fraction: 0.45 });
    await waitFor(() => expect(within(progress).getByTestId('import-progress-text').textContent).toBe('12,000行（45%）'));
    expect(screen.queryByTestId('import-run')).toBeNull();

    await fireEvent.click(screen.getByTestId('import-cancel'));
    expect(ipc.argsOf('import_cancel')).toHaveLength(1);
    await waitFor(() =>
      expect(screen.getByTestId('import-run-error').textContent).toBe('取り込みを中止しました。データは変更していません。'),
    );
    expect(screen.queryByTestId('import-progress')).toBeNull();
    expect(screen.queryByTestId('import-result')).toBeNull();
  });

  it('explains a file that cannot be read, naming the row', async () => {
    setup({
      import_inspect: () => {
        throw appError('invalid', 'invalid input: file: row 3 (line 3), column 2: a quote opened here is never closed', [
          { field: 'file', code: 'unclosed_quote', message: 'row 3 (line 3), column 2: a quote opened here is never closed', row: 3 },
        ]);
      },
    });
    await inspectFile('/tmp/unbalanced_quote.csv');
    const error = await screen.findByTestId('import-error');
    expect(error.textContent).toContain('このファイルは取り込めません');
    expect(error.textContent).toContain('3行目：引用符（"）が閉じられていません。');
    expect(error.textContent).toContain('a quote opened here is never closed');
    expect(screen.queryByTestId('import-mapping-row')).toBeNull();
    expect(screen.queryByTestId('import-run')).toBeNull();
  });

  it('falls back to the backend’s message for codes it has no words for', async () => {
    setup({
      import_inspect: () => {
        throw appError('invalid', 'invalid input', [{ field: 'file', code: 'brand_new_code', message: 'something new went wrong' }]);
      },
    });
    await inspectFile();
    expect((await screen.findByTestId('import-error')).textContent).toContain('something new went wrong');
  });

  it('saves the mapping as a preset of one’s own', async () => {
    const ipc = setup({
      import_save_preset: (args) => ({ id: `user:${String(args.name)}`, nameJa: args.name, nameEn: args.name, columns: [] }),
    });
    await inspectFile();
    await fireEvent.click(await screen.findByTestId('import-preset-save'));
    await fireEvent.input(screen.getByTestId('import-preset-name'), { target: { value: '展示会リスト' } });
    await fireEvent.click(screen.getByTestId('import-preset-confirm'));
    await waitFor(() => expect((screen.getByTestId('import-preset') as HTMLSelectElement).value).toBe('user:展示会リスト'));
    const [args] = ipc.argsOf('import_save_preset');
    expect(args!.name).toBe('展示会リスト');
    expect((args!.mapping as unknown[]).length).toBe(5);
    expect(screen.getByTestId('import-preset-delete')).toBeTruthy();
  });

  it('is complete in English', async () => {
    setLocale('en', false);
    setup();
    await inspectFile();
    await screen.findAllByTestId('import-mapping-row');
    expect(screen.getByTestId('import-wizard').textContent).toContain('Check where each column goes');
    expect(within(screen.getAllByTestId('import-preview-row')[2]!).getByTestId('import-action').textContent).toBe('Error');
    expect(screen.getByTestId('import-run').textContent).toContain('Import (about 20 rows)');
  });
});

describe('import history', () => {
  it('lists the imports newest first and undoes one after confirmation', async () => {
    let batches = [importBatch(1, { fileName: 'old.csv' }), importBatch(2, { fileName: 'eight_sjis.csv', updated: 2 })];
    const ipc = setup({
      import_history: () => batches,
      import_undo: (args) => {
        const report = {
          batch: args.batch as number,
          removed: 20,
          restored: 2,
          notes: [{ leadId: 7, name: '髙橋 一郎', code: 'changed_since', message: 'kept the values changed since the import: title, phone' }],
          notesTotal: 1,
        };
        batches = batches.map((b) => (b.id === args.batch ? { ...b, status: 'undone', undo: report, undoneAt: '2026-11-23T02:00:00Z' } : b));
        return report;
      },
    });
    await fireEvent.click(screen.getByTestId('import-tab-history'));
    await waitFor(() => expect(screen.getAllByTestId('import-history-row')).toHaveLength(2));
    const rows = screen.getAllByTestId('import-history-row');
    expect(rows.map((r) => r.dataset.batch)).toEqual(['2', '1']);
    expect(rows.map((r) => r.dataset.status)).toEqual(['applied', 'applied']);
    expect(rows[0]!.textContent).toContain('eight_sjis.csv');
    expect(rows[0]!.textContent).toContain('Shift_JIS');
    expect(rows[0]!.textContent).toContain('適用済み');

    await fireEvent.click(within(rows[0]!).getByTestId('import-history-undo'));
    const dialog = screen.getByTestId('confirm-dialog');
    expect(dialog.textContent).toContain('eight_sjis.csv');
    expect(dialog.textContent).toContain('作成したリード20件を削除');
    expect(ipc.argsOf('import_undo')).toHaveLength(0);
    await fireEvent.click(screen.getByTestId('confirm-ok'));

    await waitFor(() => expect(ipc.argsOf('import_undo')).toEqual([{ batch: 2 }]));
    const report = await screen.findByTestId('import-undo-report');
    expect(report.textContent).toContain('20件を削除し、2件を元に戻しました');
    expect(within(report).getByTestId('import-undo-note').textContent).toContain('取り込み後に変更された値を残しました（役職、電話）');
    await waitFor(() => expect(screen.getAllByTestId('import-history-row')[0]!.dataset.status).toBe('undone'));
    expect(within(screen.getAllByTestId('import-history-row')[0]!).queryByTestId('import-history-undo')).toBeNull();
    expect(screen.getAllByTestId('import-history-row')[0]!.textContent).toContain('取り消し済み');
  });

  it('does nothing when the confirmation is cancelled', async () => {
    const ipc = setup({ import_history: () => [importBatch(1)] });
    await fireEvent.click(screen.getByTestId('import-tab-history'));
    await fireEvent.click(await screen.findByTestId('import-history-undo'));
    await fireEvent.click(screen.getByTestId('confirm-cancel'));
    expect(screen.queryByTestId('confirm-dialog')).toBeNull();
    expect(ipc.argsOf('import_undo')).toHaveLength(0);
  });

  it('says so when there is no import yet', async () => {
    setup();
    await fireEvent.click(screen.getByTestId('import-tab-history'));
    expect((await screen.findByTestId('import-history-empty')).textContent).toContain('取り込み履歴はまだありません');
  });

  it('undoes the import just run from its result', async () => {
    const ipc = setup({
      import_run: () => importReport({ batch: 5 }),
      import_undo: (args) => ({ batch: args.batch, removed: 20, restored: 0, notes: [], notesTotal: 0 }),
    });
    await inspectFile();
    await fireEvent.click(await screen.findByTestId('import-run'));
    await fireEvent.click(await screen.findByTestId('import-undo'));
    expect(ipc.argsOf('import_undo')).toHaveLength(0);
    await fireEvent.click(screen.getByTestId('confirm-ok'));
    await waitFor(() => expect(ipc.argsOf('import_undo')).toEqual([{ batch: 5 }]));
    expect((await screen.findByTestId('import-undo-report')).textContent).toContain('20件を削除');
    expect(screen.getByTestId('import-result').textContent).toContain('この取り込みは取り消しました');
    expect(screen.queryByTestId('import-undo')).toBeNull();
  });
});
