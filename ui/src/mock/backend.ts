/**
 * An in-memory stand-in for the Rust side, installed with @tauri-apps/api/mocks, so the UI
 * can be run and screenshotted in a plain browser (mock.html, development only).
 */

import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import type {
  AppError,
  AppStatus,
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
      stageHistory: previous?.stageHistory ?? [{ fromStage: null, toStage: 'lead', changedAt: now, actor: '', reason: '' }],
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
        default:
          throw appError('internal', `unknown command ${cmd}`);
      }
    },
    { shouldMockEvents: true },
  );
}
