import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { mockCommands, appError } from '../../test/fixtures';
import ExportDialog from './ExportDialog.svelte';

const profiles = [
  {
    id: 'mailchimp',
    name: 'Mailchimp',
    columns: [
      { field: 'email', header: 'Email Address', default: true },
      { field: 'given_name', header: 'First Name', default: true },
      { field: 'title', header: '役職', default: false },
    ],
    encodings: ['utf-8-bom', 'utf-8'],
    defaultEncoding: 'utf-8',
    requiresEmail: true,
    maxFieldBytes: 255,
  },
  {
    id: 'blastmail',
    name: 'blastmail',
    columns: [{ field: 'email', header: 'メールアドレス', default: true }],
    encodings: ['shift_jis', 'utf-8-bom', 'utf-8'],
    defaultEncoding: 'shift_jis',
    requiresEmail: true,
    maxFieldBytes: null,
  },
];

function preview(args: Record<string, unknown>) {
  const request = args.request as { profile: string; encoding: string | null; columns: string[] };
  const sjis = request.encoding === 'shift_jis';
  return {
    headers: request.columns.map((c) => (c === 'email' ? 'Email Address' : c)),
    rows: [['taro@example.co.jp', '太郎'], ["'=HYPERLINK()", '花子']],
    report: {
      rows: 2,
      suppressed: 3,
      leftOut: { optedOut: 2, bounced: 1, erased: 0, suppressionList: 0, duplicateEmail: 1, noEmail: 0 },
      warnings: sjis
        ? [{ code: 'unrepresentable', column: '氏名', message: '', count: 1, rows: [{ row: 2, leadId: 7, value: '𠮷田', detail: '𠮷' }] }]
        : [],
      profile: request.profile,
      format: 'csv',
      encoding: request.encoding,
      headers: [],
      seconds: 0.1,
    },
  };
}

describe('export dialog', () => {
  it('shows who is left out and why, then writes to the typed path', async () => {
    const backend = mockCommands({
      export_profiles: () => profiles,
      export_folder: () => '/tmp/out',
      export_preview: preview,
      export_write: (args) => ({ ...preview(args).report, rows: 2 }),
    });
    render(ExportDialog, { source: { kind: 'segment', id: 4 }, label: '東京都のリード', onclose: () => {} });
    const summary = await screen.findByTestId('export-summary');
    expect(summary.getAttribute('data-suppressed')).toBe('3');
    const reasons = screen.getAllByTestId('export-left-out').map((e) => e.textContent?.replace(/\s+/g, ''));
    expect(reasons).toEqual(['配信停止2', '不達1', 'メールアドレスの重複1']);
    expect(within(screen.getByTestId('export-preview')).getAllByTestId('export-preview-row')).toHaveLength(2);
    const path = screen.getByTestId('export-path') as HTMLInputElement;
    expect(path.value).toMatch(/^\/tmp\/out\/東京都のリード-mailchimp-\d{8}\.csv$/);
    await fireEvent.click(screen.getByTestId('export-write'));
    await screen.findByTestId('export-done');
    const [write] = backend.argsOf('export_write');
    expect(write?.path).toBe(path.value);
    expect(write?.request).toMatchObject({ profile: 'mailchimp', source: { kind: 'segment', id: 4 }, encoding: 'utf-8', columns: ['email', 'given_name'] });
  });

  it('refuses Shift_JIS while a value cannot be held, and offers UTF-8 with BOM', async () => {
    mockCommands({ export_profiles: () => profiles, export_folder: () => null, export_preview: preview });
    render(ExportDialog, { source: { kind: 'leads', ids: [1, 2] }, label: '選択した2件', onclose: () => {} });
    await screen.findByTestId('export-summary');
    await fireEvent.change(screen.getByTestId('export-profile'), { target: { value: 'blastmail' } });
    const warning = await screen.findByTestId('export-warning');
    expect(warning.textContent).toContain('𠮷田');
    expect((screen.getByTestId('export-write') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByTestId('export-use-bom'));
    await waitFor(() => expect(screen.queryByTestId('export-warning')).toBeNull());
    expect((screen.getByTestId('export-encoding') as HTMLSelectElement).value).toBe('utf-8-bom');
  });

  it('shows a refused export as an error', async () => {
    mockCommands({
      export_profiles: () => profiles,
      export_folder: () => null,
      export_preview: () => {
        throw appError('not_found', 'segment 4 does not exist');
      },
    });
    render(ExportDialog, { source: { kind: 'segment', id: 4 }, label: 'x', onclose: () => {} });
    expect((await screen.findByTestId('export-preview-error')).textContent).toBeTruthy();
  });
});
