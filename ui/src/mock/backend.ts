/**
 * An in-memory stand-in for the Rust side, installed with @tauri-apps/api/mocks, so the UI
 * can be run and screenshotted in a plain browser (mock.html, development only).
 */

import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import type {
  AppError,
  AppStatus,
  ColumnMapping,
  ImportBatch,
  ImportInspection,
  ImportPlan,
  ImportReport,
  Preset,
  UndoReport,
  CompanyDetail,
  CompanyPage,
  CompanyQuery,
  LeadDetail,
  LeadInput,
  LeadPage,
  LeadQuery,
  LeadRow,
  Stats,
} from '../lib/ipc';
import { COMPANIES, companyRow, iso, mockLead, rowOf } from './data';
import { EIGHT_INSPECTION } from './importData';

export type Scenario = 'ready' | 'empty' | 'db_newer' | 'db_locked' | 'db_corrupt' | 'db_unreadable';

export interface MockOptions {
  scenario: Scenario;
  /** Leads in the database (ready scenario, and what demo_load creates). */
  leads: number;
  /** Simulated latency of each command, in ms. */
  latency: number;
}

/** Above this the leads are generated on demand by index (search/sort only over a sample). */
const MATERIALISE_LIMIT = 20_000;
const DB_PATH = '/home/tanaka/.local/share/jp.sodate.app/sodate.db';

function appError(code: string, message: string, fields: AppError['details']['fields'] = [], path: string | null = null): AppError {
  return { code, message, details: { path, fields } };
}

const FAILURES: Record<string, string> = {
  db_newer: `the database ${DB_PATH} was written by a newer version of Sodate (schema 7; this version knows up to 3). Update Sodate to open it; the file was not changed.`,
  db_locked: `the database ${DB_PATH} is locked by another program. Close the other Sodate window or program using it and try again.`,
  db_corrupt: `the database ${DB_PATH} is damaged (database disk image is malformed). The file was not changed; restore a backup or copy out what can be read.`,
  db_unreadable: `the database ${DB_PATH} cannot be opened: permission denied`,
};

function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
}

export function installMockBackend(options: MockOptions): void {
  clearMocks();
  let total = options.scenario === 'ready' ? options.leads : 0;
  let details = new Map<number, LeadDetail>();
  let nextId = total + 1;

  function materialise(count: number) {
    details = new Map();
    for (let id = 1; id <= Math.min(count, MATERIALISE_LIMIT); id++) details.set(id, mockLead(id).detail);
  }
  materialise(total);

  const lazy = () => total > MATERIALISE_LIMIT;

  function detailOf(id: number): LeadDetail | undefined {
    if (details.has(id)) return details.get(id);
    if (lazy() && id >= 1 && id <= total) return mockLead(id).detail;
    return undefined;
  }

  function sortKey(row: LeadRow, sort: LeadQuery['sort']): string | number {
    switch (sort) {
      case 'name':
        return `${row.familyReading}${row.givenReading}`;
      case 'company':
        return (COMPANIES.find((c) => c.name === row.companyName)?.reading ?? row.companyName ?? '');
      case 'email':
        return row.email;
      case 'created_at':
        return row.createdAt;
      case 'engagement_score':
        return row.engagementScore ?? 0;
      default:
        return row.updatedAt;
    }
  }

  function leadList(query: LeadQuery): LeadPage {
    if (lazy() && !query.search) {
      const rows: LeadRow[] = [];
      for (let i = query.offset; i < Math.min(total, query.offset + query.limit); i++) {
        const id = query.descending ? total - i : i + 1;
        rows.push(mockLead(id).row);
      }
      return { total, offset: query.offset, rows };
    }
    let rows = [...details.values()].map((d) => rowOf(d.lead));
    if (query.search) {
      const needle = fold(query.search.trim());
      rows = rows.filter((r) =>
        fold(`${r.familyName}${r.givenName} ${r.familyName} ${r.givenName} ${r.familyReading}${r.givenReading} ${r.companyName ?? ''} ${r.email} ${r.phone.replace(/-/g, '')} ${r.phone}`).includes(needle),
      );
    }
    rows.sort((a, b) => {
      const ka = sortKey(a, query.sort);
      const kb = sortKey(b, query.sort);
      const cmp = typeof ka === 'number' && typeof kb === 'number' ? ka - kb : String(ka).localeCompare(String(kb), 'ja');
      return (query.descending ? -cmp : cmp) || a.id - b.id;
    });
    return { total: rows.length, offset: query.offset, rows: rows.slice(query.offset, query.offset + query.limit) };
  }

  function companies(): CompanyDetail[] {
    const people = new Map<number, LeadRow[]>();
    for (const detail of details.values()) {
      const id = detail.lead.companyId;
      if (id === null) continue;
      const list = people.get(id) ?? [];
      list.push(rowOf(detail.lead));
      people.set(id, list);
    }
    return COMPANIES.map((seed, index) => {
      const list = people.get(index + 1) ?? [];
      const count = lazy() ? Math.round(total / COMPANIES.length) : list.length;
      return { company: companyRow(index, count), address: `${seed.prefecture}${seed.address}`, people: list.slice(0, 200) };
    }).filter((c) => c.company.leadCount > 0);
  }

  function companyList(query: CompanyQuery): CompanyPage {
    let rows = companies().map((c) => c.company);
    if (query.search) {
      const needle = fold(query.search.trim());
      rows = rows.filter((r) => fold(`${r.name} ${r.reading} ${r.domain}`).includes(needle));
    }
    rows.sort((a, b) => a.reading.localeCompare(b.reading, 'ja'));
    return { total: rows.length, offset: query.offset, rows: rows.slice(query.offset, query.offset + query.limit) };
  }

  function validate(input: LeadInput): void {
    const fields: AppError['details']['fields'] = [];
    if (![input.familyName, input.givenName, input.companyName, input.email].some((v) => v.trim())) {
      fields.push({ field: 'familyName', code: 'required', message: 'enter a name, a company or an email' });
    }
    const duplicate = [...details.values()].find((d) => input.email && d.lead.email === input.email.trim());
    if (duplicate) {
      fields.push({ field: 'email', code: 'duplicate_email', message: `another lead (id ${duplicate.lead.id}) already has this email` });
    }
    if (fields.length) throw appError('invalid', 'invalid input', fields);
  }

  function save(id: number, input: LeadInput, previous?: LeadDetail): LeadDetail {
    const now = iso(Date.now());
    const seedIndex = COMPANIES.findIndex((c) => c.name === input.companyName.trim());
    const lead = {
      ...(previous?.lead ?? mockLead(id).detail.lead),
      ...input,
      id,
      companyId: input.companyName ? (seedIndex >= 0 ? seedIndex + 1 : null) : null,
      companyName: input.companyName || null,
      companyReading: input.companyReading || null,
      updatedAt: now,
      createdAt: previous?.lead.createdAt ?? now,
      lifecycleStage: previous?.lead.lifecycleStage ?? 'lead',
      engagementScore: previous?.lead.engagementScore ?? 0,
      fitScore: previous?.lead.fitScore ?? 0,
      grade: previous?.lead.grade ?? '',
      firstEventName: previous?.lead.firstEventName ?? null,
      consentState: previous?.lead.consentState ?? 'unknown',
    };
    const detail: LeadDetail = {
      lead,
      tags: [...input.tags],
      customFields: previous?.customFields ?? [],
      activities: previous?.activities ?? [],
      activityCount: previous?.activityCount ?? 0,
      stageHistory: previous?.stageHistory ?? [{ fromStage: null, toStage: 'lead', changedAt: now, actor: '', reason: '', note: '', automatic: false }],
      qualification: previous?.qualification ?? { budget: '', authority: '', need: '', timeline: '', challenges: '', champAuthority: '', money: '', prioritisation: '' },
    };
    details.set(id, detail);
    return detail;
  }

  function changed(entity: string, ids: number[]) {
    setTimeout(() => void emit('db-changed', { entity, ids }), 0);
  }

  function stats(): Stats {
    return { leads: total, companies: companies().length, activities: total * 8, events: 5 };
  }

  // Imports: every file reads as the Eight export fixture, except names that ask for a failure
  // (`empty…`, `quote…`); `errors` in the name gives two rows with problems.
  const batches: ImportBatch[] = [];
  const savedPresets: Preset[] = [];
  let importCancelled = false;

  function importFileError(code: string, message: string): AppError {
    return appError('invalid', `invalid input: file: ${message}`, [{ field: 'file', code, message }]);
  }

  function importInspect(plan: ImportPlan): ImportInspection {
    const name = plan.path.split(/[\\/]/).pop() ?? plan.path;
    if (!plan.path.trim()) throw importFileError('file_not_found', 'the file does not exist');
    if (name.includes('empty')) throw importFileError('empty_file', `the file ${plan.path} is empty`);
    if (name.includes('quote')) throw importFileError('unclosed_quote', 'row 3 (line 3), column 2: a quote opened here is never closed');
    const inspection = structuredClone(EIGHT_INSPECTION) as ImportInspection;
    inspection.fileName = name;
    inspection.presets = [...inspection.presets, ...savedPresets];
    if (plan.options.encoding) {
      inspection.encoding = plan.options.encoding;
      inspection.encodingGuessed = false;
    }
    if (plan.mapping) inspection.mapping = plan.mapping as ColumnMapping[];
    if (plan.preset) inspection.preset = plan.preset;
    inspection.preview = inspection.preview.map((row, i) => {
      const lead = { ...row.lead, tags: [...new Set([...row.lead.tags, ...plan.tags])].sort() };
      if (plan.mode === 'upsert' && i < 3) return { ...row, lead, action: 'update', leadId: i + 1 };
      if (name.includes('errors') && i === 4) {
        return {
          ...row,
          lead: { ...lead, email: 'yamada@@example' },
          action: 'fail',
          issues: [{ column: 'e-mail', field: 'email', code: 'invalid_email', message: 'not an email address' }],
        };
      }
      if (name.includes('errors') && i === 9) {
        return {
          ...row,
          lead,
          action: 'fail',
          issues: [{ column: '名刺交換日', field: 'cardExchangedOn', code: 'invalid_date', message: 'not a date: 2024/13/45' }],
        };
      }
      return { ...row, lead };
    });
    return inspection;
  }

  async function importRun(plan: ImportPlan, dryRun: boolean): Promise<ImportReport> {
    const inspection = importInspect(plan);
    importCancelled = false;
    const rows = 20;
    for (let step = 1; step <= 10; step++) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      if (importCancelled) throw appError('cancelled', 'the import was cancelled; nothing was written');
      void emit('import-progress', { rows: step * 2, fraction: step / 10 });
    }
    const failed = inspection.preview.filter((r) => r.action === 'fail');
    const updated = inspection.preview.filter((r) => r.action === 'update').length;
    const report: ImportReport = {
      batch: dryRun ? null : batches.length + 1,
      rows,
      created: rows - failed.length - updated,
      updated,
      unchanged: 0,
      skipped: 0,
      failed: failed.length,
      format: inspection.format,
      encoding: inspection.encoding,
      dryRun,
      failures: failed.map((r) => ({ row: r.row, issues: r.issues })),
    };
    if (!dryRun) {
      batches.push({
        id: report.batch,
        fileName: inspection.fileName,
        format: inspection.format,
        encoding: inspection.encoding ?? '',
        mode: plan.mode,
        status: 'applied',
        rows,
        created: report.created,
        updated,
        skipped: 0,
        failed: failed.length,
        createdAt: iso(Date.now()),
        undoneAt: null,
        undo: null,
      });
      changed('lead', []);
    }
    return report;
  }

  function importUndo(id: number): UndoReport {
    const batch = batches.find((b) => b.id === id);
    if (!batch) throw appError('not_found', `import batch ${id} does not exist`);
    if (batch.status !== 'applied') throw appError('conflict', `import ${id} is already undone`);
    const report: UndoReport = {
      batch: id,
      removed: batch.created,
      restored: batch.updated,
      notes: batch.updated
        ? [{ leadId: 1, name: '田中 太郎', code: 'changed_since', message: 'kept the values changed since the import: title' }]
        : [],
      notesTotal: batch.updated ? 1 : 0,
    };
    batch.status = 'undone';
    batch.undoneAt = iso(Date.now());
    batch.undo = report;
    changed('lead', []);
    return report;
  }

  mockIPC(
    async (cmd, payload) => {
      const args = (payload ?? {}) as Record<string, unknown>;
      await new Promise((resolve) => setTimeout(resolve, options.latency));
      switch (cmd) {
        case 'app_status': {
          const status: AppStatus =
            options.scenario === 'ready' || options.scenario === 'empty'
              ? { dbPath: DB_PATH, state: { status: 'ready', leadCount: total } }
              : {
                  dbPath: DB_PATH,
                  state: { status: 'failed', error: appError(options.scenario, FAILURES[options.scenario] ?? '', [], DB_PATH) },
                };
          return status;
        }
        case 'lead_list':
          return leadList(args.query as LeadQuery);
        case 'lead_get': {
          const detail = detailOf(args.id as number);
          if (!detail) throw appError('not_found', `lead ${String(args.id)} does not exist`);
          return detail;
        }
        case 'lead_create': {
          const input = args.input as LeadInput;
          validate(input);
          const id = nextId++;
          total++;
          const detail = save(id, input);
          changed('lead', [id]);
          return detail;
        }
        case 'lead_update': {
          const id = args.id as number;
          const previous = detailOf(id);
          if (!previous) throw appError('not_found', `lead ${id} does not exist`);
          const detail = save(id, args.input as LeadInput, previous);
          changed('lead', [id]);
          return detail;
        }
        case 'lead_delete': {
          const id = args.id as number;
          if (!details.delete(id)) throw appError('not_found', `lead ${id} does not exist`);
          total--;
          changed('lead', [id]);
          return null;
        }
        case 'company_list':
          return companyList(args.query as CompanyQuery);
        case 'company_get': {
          const found = companies().find((c) => c.company.id === args.id);
          if (!found) throw appError('not_found', `company ${String(args.id)} does not exist`);
          return found;
        }
        case 'demo_load': {
          await new Promise((resolve) => setTimeout(resolve, 1200));
          total = args.leads as number;
          nextId = total + 1;
          materialise(total);
          changed('demo', []);
          return stats();
        }
        case 'stats':
          return stats();
        case 'import_inspect':
          return importInspect(args.plan as ImportPlan);
        case 'import_run':
          return importRun(args.plan as ImportPlan, args.dryRun as boolean);
        case 'import_cancel':
          importCancelled = true;
          return null;
        case 'import_history':
          return [...batches].reverse();
        case 'import_undo':
          return importUndo(args.batch as number);
        case 'import_write_failures':
          return batches.find((b) => b.id === args.batch)?.failed ?? 0;
        case 'import_save_preset': {
          const name = String(args.name);
          const preset: Preset = {
            id: `user:${name}`,
            nameJa: name,
            nameEn: name,
            columns: (args.mapping as ColumnMapping[]).map((m) => ({ header: m.header, field: m.field })),
          };
          const at = savedPresets.findIndex((p) => p.id === preset.id);
          if (at >= 0) savedPresets.splice(at, 1);
          savedPresets.push(preset);
          return preset;
        }
        case 'import_delete_preset': {
          const at = savedPresets.findIndex((p) => p.id === args.id);
          if (at >= 0) savedPresets.splice(at, 1);
          return null;
        }
        case 'export_profiles':
          return MOCK_PROFILES;
        case 'export_folder':
          return '/home/tanaka/Documents/Sodate';
        case 'export_preview':
          return mockExportPreview(args.request as { profile: string; encoding: string | null; columns: string[] | null; source: { kind: string; ids?: number[] } });
        case 'consent_list':
          return [];
        case 'encryption_status':
          return false;
        case 'plugin:dialog|open':
          return '/home/tanaka/Downloads/eight_sjis.csv';
        case 'plugin:dialog|save':
          return '/home/tanaka/Downloads/eight_sjis_エラー.csv';
        default:
          throw appError('internal', `unknown command ${cmd}`);
      }
    },
    { shouldMockEvents: true },
  );
}

/** The export profiles as the core lists them (two of the six, enough for the dialog). */
const MOCK_PROFILES = [
  {
    id: 'mailchimp',
    name: 'Mailchimp',
    columns: [
      ['email', 'Email Address', true],
      ['given_name', 'First Name', true],
      ['family_name', 'Last Name', true],
      ['company_name', 'Company', true],
      ['phone', 'Phone Number', true],
      ['postal_code', 'Postal Code (text)', true],
      ['prefecture', 'Prefecture', true],
      ['department', '部署', false],
      ['title', '役職', false],
      ['engagement_score', '行動スコア', false],
    ].map(([field, header, isDefault]) => ({ field: String(field), header: String(header), default: isDefault === true })),
    encodings: ['utf-8-bom', 'utf-8'],
    defaultEncoding: 'utf-8',
    requiresEmail: true,
    maxFieldBytes: 255,
  },
  {
    id: 'blastmail',
    name: 'blastmail',
    columns: [
      ['email', 'メールアドレス', true],
      ['full_name', '氏名', true],
      ['company_name', '会社名', true],
    ].map(([field, header, isDefault]) => ({ field: String(field), header: String(header), default: isDefault === true })),
    encodings: ['shift_jis', 'utf-8-bom', 'utf-8'],
    defaultEncoding: 'shift_jis',
    requiresEmail: true,
    maxFieldBytes: null,
  },
];

function mockExportPreview(request: { profile: string; encoding: string | null; columns: string[] | null; source: { kind: string; ids?: number[] } }) {
  // A selection of n: one opted out, one sharing another's email; otherwise a large segment.
  const n = request.source.ids?.length;
  const profile = MOCK_PROFILES.find((p) => p.id === request.profile) ?? MOCK_PROFILES[0]!;
  const fields = request.columns ?? profile.columns.filter((c) => c.default).map((c) => c.field);
  const headers = fields.map((f) => profile.columns.find((c) => c.field === f)?.header ?? f);
  const people = [
    ['tanaka.t@sample-shoji.example.jp', '太郎', '田中', '株式会社サンプル商事', '03-1234-5678', '100-0001', '東京都'],
    ['sato.h@mirai-giken.example.jp', '花子', '佐藤', '㈱ミライ技研', '06-2345-6789', '530-0001', '大阪府'],
    ['takahashi@toyo-system.example.jp', '一郎', '髙橋', '東洋システム株式会社', '052-123-4567', '460-0002', '愛知県'],
    ['suzuki.k@kyoei-soken.example.jp', '健一', '鈴木', '共栄総研株式会社', '092-345-6789', '810-0001', '福岡県'],
    ['ito.m@sunrise-trading.example.jp', '美咲', '伊藤', 'サンライズ貿易株式会社', '011-234-5678', '060-0001', '北海道'],
  ];
  const all = ['email', 'given_name', 'family_name', 'company_name', 'phone', 'postal_code', 'prefecture'];
  const rows = people.map((p) => fields.map((f) => p[all.indexOf(f)] ?? ''));
  const leftOut =
    n === undefined
      ? { optedOut: 29, bounced: 6, erased: 0, suppressionList: 2, duplicateEmail: 11, noEmail: 4 }
      : { optedOut: 1, bounced: 0, erased: 0, suppressionList: 0, duplicateEmail: 1, noEmail: 0 };
  const suppressed = leftOut.optedOut + leftOut.bounced + leftOut.erased + leftOut.suppressionList;
  return {
    headers,
    rows,
    report: {
      rows: n === undefined ? 1284 : Math.max(n - suppressed - leftOut.duplicateEmail, 0),
      suppressed,
      leftOut,
      warnings: [
        {
          code: 'too_long',
          column: 'Company',
          message: '',
          count: 1,
          rows: [{ row: n === undefined ? 418 : 4, leadId: 5121, value: '一般社団法人日本産業オートメーション・ロボティクス技術振興協議会 関西支部 事務局…', detail: '312 bytes' }],
        },
      ],
      profile: profile.id,
      format: 'csv',
      encoding: request.encoding,
      headers,
      seconds: 0.2,
    },
  };
}
