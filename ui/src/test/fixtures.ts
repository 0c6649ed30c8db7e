/** Small, explicit test data in the shapes that cross IPC. */
import { mockIPC } from '@tauri-apps/api/mocks';
import type {
  AppError,
  ColumnMapping,
  ImportBatch,
  ImportInspection,
  ImportReport,
  LeadDetail,
  LeadInput,
  LeadPage,
  LeadQuery,
  LeadRow,
  PreviewRow,
} from '../lib/ipc';
import { emptyLeadInput } from '../lib/leads/leadInput';

export function leadRow(id: number, overrides: Partial<LeadRow> = {}): LeadRow {
  return {
    id,
    familyName: '山田',
    givenName: `太郎${id}`,
    familyReading: 'やまだ',
    givenReading: 'たろう',
    companyId: 1,
    companyName: '株式会社サンプル商事',
    department: '営業部',
    title: '部長',
    email: `yamada${id}@sample.example.jp`,
    phone: '03-1234-5678',
    prefecture: '東京都',
    lifecycleStage: 'mql',
    engagementScore: 42,
    fitScore: 20,
    grade: 'B',
    createdAt: '2026-04-01T01:00:00Z',
    updatedAt: '2026-11-22T03:00:00Z',
    ...overrides,
  };
}

/** A lead_list answer over `total` generated rows. */
export function leadPage(query: LeadQuery, total: number, make: (id: number) => LeadRow = leadRow): LeadPage {
  const rows: LeadRow[] = [];
  for (let i = query.offset; i < Math.min(total, query.offset + query.limit); i++) rows.push(make(i + 1));
  return { total, offset: query.offset, rows };
}

export function leadDetail(id: number, overrides: Partial<LeadDetail['lead']> = {}, extra: Partial<LeadDetail> = {}): LeadDetail {
  return {
    lead: {
      id,
      familyName: '佐藤',
      givenName: '花子',
      familyReading: 'さとう',
      givenReading: 'はなこ',
      companyId: 7,
      companyName: '東都システム株式会社',
      companyReading: 'とうとしすてむ',
      department: '情報システム部',
      title: '課長',
      email: 'sato@toto.example.jp',
      phone: '03-1111-2222',
      mobile: '',
      postalCode: '1000005',
      prefecture: '東京都',
      address: '千代田区丸の内1-1-1',
      website: 'https://toto.example.jp/',
      notes: '',
      source: 'trade_show',
      owner: '鈴木 一郎',
      lifecycleStage: 'sql',
      consentState: 'opted_in',
      engagementScore: 64,
      fitScore: 30,
      grade: 'A',
      firstEventName: 'DX推進EXPO 2026 秋',
      createdAt: '2026-04-01T01:00:00Z',
      updatedAt: '2026-11-22T03:00:00Z',
      ...overrides,
    },
    tags: ['決裁者', '予算あり'],
    customFields: [{ name: 'booth', label: '来場ブース', value: 'A-12' }],
    activities: [
      { id: 2, kind: 'seminar_attended', kindLabel: 'Seminar attended', occurredAt: '2026-11-20T05:30:00Z', detail: '', eventName: '製造業DXセミナー' },
      { id: 1, kind: 'custom_webhook', kindLabel: 'Webhook受信', occurredAt: '2026-11-01T00:00:00Z', detail: 'form=contact', eventName: null },
    ],
    activityCount: 2,
    stageHistory: [{ fromStage: 'mql', toStage: 'sql', changedAt: '2026-11-21T00:00:00Z', actor: '鈴木 一郎', reason: '', note: '', automatic: false }],
    qualification: { budget: '', authority: '', need: '', timeline: '', challenges: '', champAuthority: '', money: '', prioritisation: '' },
    ...extra,
  };
}

export function appError(code: string, message = code, fields: AppError['details']['fields'] = [], path: string | null = null): AppError {
  return { code, message, details: { path, fields } };
}

/** Lets pending promises and Svelte effects run. */
export async function settle(times = 3): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}


export type Handler = (args: Record<string, unknown>) => unknown;

/** Mocks the Rust side command by command (through @tauri-apps/api/mocks) and records every
 * call. A command without a handler fails the way the shell would. Events are mocked too, so
 * tests can `emit('db-changed', …)`. */
export function mockCommands(handlers: Record<string, Handler>) {
  const calls: { cmd: string; args: Record<string, unknown> }[] = [];
  mockIPC(
    (cmd, payload) => {
      const args = (payload ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args });
      const handler = handlers[cmd];
      if (!handler) throw appError('internal', `unexpected command ${cmd}`);
      return handler(args);
    },
    { shouldMockEvents: true },
  );
  return {
    calls,
    argsOf: (cmd: string) => calls.filter((c) => c.cmd === cmd).map((c) => c.args),
  };
}

export const READY = (leadCount: number) => () => ({
  dbPath: '/home/user/.local/share/sodate/sodate.db',
  state: { status: 'ready', leadCount },
});

/** A preview row as import_inspect sends it. */
export function previewRow(row: number, lead: Partial<LeadInput> = {}, extra: Partial<PreviewRow> = {}): PreviewRow {
  return {
    row,
    action: 'create',
    leadId: null,
    lead: { ...emptyLeadInput(), source: 'import', ...lead },
    custom: {},
    issues: [],
    ...extra,
  };
}

/** What import_inspect answers for a small Eight-style Shift_JIS file. */
export function importInspection(overrides: Partial<ImportInspection> = {}): ImportInspection {
  const mapping: ColumnMapping[] = [
    { index: 0, header: '会社名', field: 'company_name', confidence: 'preset', why: 'eight' },
    { index: 1, header: '姓', field: 'family_name', confidence: 'preset', why: 'eight' },
    { index: 2, header: '名', field: 'given_name', confidence: 'preset', why: 'eight' },
    { index: 3, header: 'e-mail', field: 'email', confidence: 'preset', why: 'eight' },
    { index: 4, header: 'TEL直通', field: { custom: 'TEL直通' }, confidence: 'unmatched', why: 'phone already mapped' },
  ];
  return {
    fileName: 'eight_sjis.csv',
    format: 'csv',
    encoding: 'shift_jis',
    encodingGuessed: true,
    size: 3820,
    sheet: null,
    sheets: [],
    headers: mapping.map((m) => m.header),
    headerNotes: [],
    preset: 'eight',
    presets: [
      { id: 'eight', nameJa: 'Eight（名刺アプリ）', nameEn: 'Eight (card app)', columns: [] },
      { id: 'sansan', nameJa: 'Sansan', nameEn: 'Sansan', columns: [] },
      { id: 'generic', nameJa: '汎用（自動判定）', nameEn: 'Generic (automatic)', columns: [] },
    ],
    mapping,
    preview: [
      previewRow(2, { companyName: '株式会社ミライ技研', familyName: '田中', givenName: '太郎', familyReading: 'タナカ', givenReading: 'タロウ', email: 't.tanaka@mirai-giken.co.jp' }, { custom: { TEL直通: '03-1234-5601' } }),
      previewRow(3, { companyName: '㈱ミライ技研', familyName: '髙橋', givenName: '一郎', familyReading: 'タカハシ', givenReading: 'イチロウ', email: 'i.takahashi@mirai-giken.co.jp' }),
      previewRow(
        4,
        { companyName: '(株)サクラ商事', familyName: '山﨑', givenName: '花子', email: 'yamasaki@@sakura' },
        { action: 'fail', issues: [{ column: 'e-mail', field: 'email', code: 'invalid_email', message: 'not an email address' }] },
      ),
    ],
    estimatedRows: 20,
    ...overrides,
  };
}

export function importReport(overrides: Partial<ImportReport> = {}): ImportReport {
  return {
    batch: 1,
    rows: 20,
    created: 20,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    failed: 0,
    format: 'csv',
    encoding: 'shift_jis',
    dryRun: false,
    failures: [],
    ...overrides,
  };
}

export function importBatch(id: number, overrides: Partial<ImportBatch> = {}): ImportBatch {
  return {
    id,
    fileName: 'eight_sjis.csv',
    format: 'csv',
    encoding: 'shift_jis',
    mode: 'create',
    status: 'applied',
    rows: 20,
    created: 20,
    updated: 0,
    skipped: 0,
    failed: 0,
    createdAt: `2026-11-2${id}T01:00:00Z`,
    undoneAt: null,
    undo: null,
    ...overrides,
  };
}
