/**
 * The typed IPC layer: the only module of the UI that talks to Tauri (ARCHITECTURE.md, "One
 * path from a click to the database"). Commands come from `bindings.ts`, which tauri-specta
 * generates from the Rust commands (`make bindings`; never edit it by hand). Here every
 * `Result` is unwrapped so callers get data or an `IpcError` they branch on by `code`.
 *
 * specta exports each type that is both serialised and deserialised twice (`X_Serialize`:
 * what Rust sends, all fields present; `X_Deserialize`: what Rust accepts, optional fields
 * may be left out). The UI works with the sent shape, so the plain names below are aliases
 * of the `_Serialize` variants; a full `_Serialize` value is also a valid argument.
 */

import { listen } from '@tauri-apps/api/event';
import {
  commands,
  type ActivityItem_Serialize,
  type AppError_Serialize,
  type AppStatus_Serialize,
  type ActivityInput_Serialize,
  type ActivityType,
  type ActivityWritten,
  type Backup_Serialize,
  type SalvageReport_Serialize,
  type BackupReason,
  type IntegrityReport,
  type RestoreReport_Serialize,
  type BehaviourRule_Serialize,
  type BulkAction,
  type OcrLine,
  type BulkReport_Serialize,
  type BulkTarget,
  type Decay,
  type Explanation_Serialize,
  type ExplainLine_Serialize,
  type FieldInfo,
  type FitField,
  type FitRule_Serialize,
  type ImpactKind,
  type ImpactPage_Serialize,
  type ImpactPreview,
  type RecomputeReport,
  type ScoreHistoryEntry,
  type ScoringCatalogue_Serialize,
  type ScoringModel_Serialize,
  type StoredModel_Serialize,
  type TextOp,
  type BulkMergeReport,
  type CandidatePair,
  type Cluster,
  type CompanyDetail_Serialize,
  type CompanyPage,
  type CompanyQuery_Serialize,
  type ColumnMapping,
  type CompanyRow,
  type Confidence,
  type CustomFieldValue,
  type Dashboard_Serialize,
  type DashboardQuery_Serialize,
  type DrillQuery_Serialize,
  type ChannelRow_Serialize,
  type FunnelStep_Serialize,
  type StageFigure,
  type TrendBucket,
  type TrendPoint,
  type EmailMonth_Serialize,
  type DormantFigures,
  type StageCount,
  type DbState_Serialize,
  type ErrorDetails_Serialize,
  type Field,
  type FieldIssue,
  type Format,
  type HeaderNote,
  type ImportBatch_Serialize,
  type ImportInspection_Serialize,
  type ImportMode,
  type ImportPlan_Serialize,
  type ImportReport_Serialize,
  type Lead_Serialize,
  type LeadDetail_Serialize,
  type LeadInput_Serialize,
  type LeadPage_Serialize,
  type LeadQuery_Serialize,
  type LeadRow_Serialize,
  type LeadSort,
  type MergeChoices_Serialize,
  type MergeReport,
  type MergeSide,
  type MergeSummary_Serialize,
  type Reason,
  type ScanOptions_Serialize,
  type ScanReport,
  type SegmentCount,
  type StepChannel,
  type DueList,
  type Lane_Serialize,
  type Persona_Serialize,
  type ScenarioStep_Serialize,
  type NewJourney_Serialize,
  type DueRow,
  type JourneyDoc_Serialize,
  type JourneyMap_Serialize,
  type JourneyMetrics_Serialize,
  type JourneyFigures_Serialize,
  type JourneySummary,
  type LaneKind,
  type SentReport,
  type Stage_Serialize,
  type StageMetrics,
  type Template,
  type Segment_Serialize,
  type SimilarLead,
  type SkippedCluster,
  type UnmergeReport,
  type Options_Serialize,
  type Preset,
  type PreviewRow_Serialize,
  type RowAction,
  type RowFailure_Serialize,
  type RowIssue_Serialize,
  type StageChange_Serialize,
  type Stats,
  type TextEncoding,
  type UndoNote,
  type UndoReport,
  type ConsentInput,
  type ConsentRecord,
  type EraseReport,
  type ExportField,
  type ExportFormat,
  type ExportPreview,
  type ExportReport,
  type ExportRequest_Serialize,
  type ExportSource_Serialize,
  type ExportWarning,
  type PersonExportReport,
  type ProfileId,
  type ProfileInfo,
  type ResultsReport,
  type SuppressionExportReport,
  type SuppressionImportReport,
  type Board_Serialize,
  type BoardCard_Serialize,
  type BoardColumn_Serialize,
  type BoardConfig_Serialize,
  type BoardEvent,
  type BoardFilter_Serialize,
  type BulkMoveReport,
  type ColumnPage_Serialize,
  type HandoffSheet_Serialize,
  type MoveOutcome,
  type MoveRequest_Serialize,
  type Qualification_Serialize,
  type ReactivationKind,
  type ReactivationPage_Serialize,
  type ReactivationRow_Serialize,
  type SlaState,
  type CaptureCounts,
  type CaptureDraft_Serialize,
  type CaptureInput_Serialize,
  type CaptureSaved,
  type CardFields_Serialize,
  type EventSummary,
  type NewEvent,
  type PhotoInfo,
  type QrReading_Serialize,
} from './bindings';

export type ActivityItem = ActivityItem_Serialize;
export type AppError = AppError_Serialize;
export type AppStatus = AppStatus_Serialize;
export type CompanyDetail = CompanyDetail_Serialize;
export type CompanyQuery = CompanyQuery_Serialize;
export type DbState = DbState_Serialize;
export type ErrorDetails = ErrorDetails_Serialize;
export type Lead = Lead_Serialize;
export type LeadDetail = LeadDetail_Serialize;
export type LeadInput = LeadInput_Serialize;
export type LeadPage = LeadPage_Serialize;
export type LeadQuery = LeadQuery_Serialize;
export type LeadRow = LeadRow_Serialize;
export type StageChange = StageChange_Serialize;
export type ImportBatch = ImportBatch_Serialize;
export type ImportInspection = ImportInspection_Serialize;
export type ImportOptions = Options_Serialize;
export type ImportPlan = ImportPlan_Serialize;
export type ImportReport = ImportReport_Serialize;
export type PreviewRow = PreviewRow_Serialize;
export type RowFailure = RowFailure_Serialize;
export type RowIssue = RowIssue_Serialize;
export type ActivityInput = ActivityInput_Serialize;
export type BehaviourRule = BehaviourRule_Serialize;
export type FitRule = FitRule_Serialize;
export type ImpactPage = ImpactPage_Serialize;
export type ScoringModel = ScoringModel_Serialize;
export type StoredModel = StoredModel_Serialize;
export type ScoringCatalogue = ScoringCatalogue_Serialize;
export type Explanation = Explanation_Serialize;
export type ExplainLine = ExplainLine_Serialize;
export type {
  ActivityType,
  ActivityWritten,
  Decay,
  FitField,
  ImpactKind,
  ImpactPreview,
  RecomputeReport,
  ScoreHistoryEntry,
  TextOp,
};
export type Segment = Segment_Serialize;
export type Dashboard = Dashboard_Serialize;
export type DashboardQuery = DashboardQuery_Serialize;
export type DrillQuery = DrillQuery_Serialize;
export type { DormantFigures, StageCount };
export type { OcrLine };
export type ChannelRow = ChannelRow_Serialize;
export type EmailMonth = EmailMonth_Serialize;
export type FunnelStep = FunnelStep_Serialize;
export type { StageFigure, TrendBucket, TrendPoint };
export type BulkReport = BulkReport_Serialize;
export type { BulkAction, BulkTarget };
export type { FieldInfo, SegmentCount };
export type JourneyDoc = JourneyDoc_Serialize;
export type JourneyMap = JourneyMap_Serialize;
export type JourneyMetrics = JourneyMetrics_Serialize;
export type JourneyFigures = JourneyFigures_Serialize;
export type Lane = Lane_Serialize;
export type Persona = Persona_Serialize;
export type ScenarioStep = ScenarioStep_Serialize;
export type NewJourney = NewJourney_Serialize;
export type Stage = Stage_Serialize;
export type { StepChannel, DueList, DueRow, JourneySummary, LaneKind, SentReport, StageMetrics, Template };
export type MergeChoices = MergeChoices_Serialize;
export type MergeSummary = MergeSummary_Serialize;
export type ScanOptions = ScanOptions_Serialize;
export type Backup = Backup_Serialize;
export type SalvageReport = SalvageReport_Serialize;
export type RestoreReport = RestoreReport_Serialize;
export type { BackupReason, IntegrityReport };
export type {
  BulkMergeReport,
  CandidatePair,
  Cluster,
  MergeReport,
  MergeSide,
  Reason,
  ScanReport,
  SimilarLead,
  SkippedCluster,
  UnmergeReport,
};
export type { CompanyPage, CompanyRow, CustomFieldValue, FieldIssue, LeadSort, Stats };
export type {
  ColumnMapping,
  Confidence,
  Field,
  Format,
  HeaderNote,
  ImportMode,
  Preset,
  RowAction,
  TextEncoding,
  UndoNote,
  UndoReport,
};

export type ExportRequest = ExportRequest_Serialize;
export type ExportSource = ExportSource_Serialize;
export type {
  ConsentInput,
  ConsentRecord,
  EraseReport,
  ExportField,
  ExportFormat,
  ExportPreview,
  ExportReport,
  ExportWarning,
  PersonExportReport,
  ProfileId,
  ProfileInfo,
  ResultsReport,
  SuppressionExportReport,
  SuppressionImportReport,
};
export type Board = Board_Serialize;
export type BoardCard = BoardCard_Serialize;
export type BoardColumn = BoardColumn_Serialize;
export type BoardConfig = BoardConfig_Serialize;
export type BoardFilter = BoardFilter_Serialize;
export type ColumnPage = ColumnPage_Serialize;
export type HandoffSheet = HandoffSheet_Serialize;
export type MoveRequest = MoveRequest_Serialize;
export type Qualification = Qualification_Serialize;
export type ReactivationPage = ReactivationPage_Serialize;
export type ReactivationRow = ReactivationRow_Serialize;
export type { BoardEvent, BulkMoveReport, MoveOutcome, ReactivationKind, SlaState };

export type CaptureDraft = CaptureDraft_Serialize;
export type CaptureInput = CaptureInput_Serialize;
export type CardFields = CardFields_Serialize;
export type QrReading = QrReading_Serialize;
export type { CaptureCounts, CaptureSaved, EventSummary, NewEvent, PhotoInfo };

type Result<T> = { status: 'ok'; data: T } | { status: 'error'; error: unknown };

/** An error reported by the Rust side (`AppError` on the wire). */
export class IpcError extends Error {
  readonly code: string;
  readonly details: ErrorDetails;

  constructor(error: AppError) {
    super(error.message);
    this.name = 'IpcError';
    this.code = error.code;
    this.details = error.details;
  }
}

function isAppError(value: unknown): value is AppError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** Turns whatever the backend rejected with into an AppError (Tauri itself rejects with
 * plain strings, e.g. for an unknown command or a missing permission). */
export function toAppError(value: unknown): AppError {
  if (isAppError(value)) {
    const details = (value as { details?: Partial<ErrorDetails> }).details;
    return {
      code: value.code,
      message: value.message,
      details: { path: details?.path ?? null, fields: details?.fields ?? [] },
    };
  }
  const message = value instanceof Error ? value.message : String(value);
  return { code: 'internal', message, details: { path: null, fields: [] } };
}

async function unwrap<T>(pending: Promise<Result<T>>): Promise<T> {
  const result = await pending;
  if (result.status === 'ok') return result.data;
  throw new IpcError(toAppError(result.error));
}

export const ipc = {
  cardTextParse: (lines: OcrLine[]): Promise<CardFields> => unwrap(commands.cardTextParse(lines)),
  appStatus: (): Promise<AppStatus> => unwrap(commands.appStatus()),
  stats: (): Promise<Stats> => unwrap(commands.stats()),
  demoLoad: (leads: number): Promise<Stats> => unwrap(commands.demoLoad(leads)),
  backupsList: (): Promise<Backup[]> => unwrap(commands.backupsList()),
  backupNow: (): Promise<Backup> => unwrap(commands.backupNow()),
  backupRestore: (path: string): Promise<RestoreReport> => unwrap(commands.backupRestore(path)),
  backupLatestGood: (): Promise<Backup | null> => unwrap(commands.backupLatestGood()),
  salvageExport: (path: string): Promise<SalvageReport> => unwrap(commands.salvageExport(path)),
  integrityCheck: (): Promise<IntegrityReport> => unwrap(commands.integrityCheck()),
  leadList: (query: LeadQuery): Promise<LeadPage> => unwrap(commands.leadList(query)),
  leadGet: (id: number): Promise<LeadDetail> => unwrap(commands.leadGet(id)),
  leadCreate: (input: LeadInput): Promise<LeadDetail> => unwrap(commands.leadCreate(input)),
  leadUpdate: (id: number, input: LeadInput): Promise<LeadDetail> => unwrap(commands.leadUpdate(id, input)),
  leadDelete: (id: number): Promise<null> => unwrap(commands.leadDelete(id)),
  leadBulk: (target: BulkTarget, action: BulkAction, confirmed: number | null): Promise<BulkReport> =>
    unwrap(commands.leadBulk(target, action, confirmed)),
  companyList: (query: CompanyQuery): Promise<CompanyPage> => unwrap(commands.companyList(query)),
  companyGet: (id: number): Promise<CompanyDetail> => unwrap(commands.companyGet(id)),
  importInspect: (plan: ImportPlan): Promise<ImportInspection> => unwrap(commands.importInspect(plan)),
  importRun: (plan: ImportPlan, dryRun: boolean): Promise<ImportReport> => unwrap(commands.importRun(plan, dryRun)),
  importCancel: (): Promise<null> => unwrap(commands.importCancel()),
  importHistory: (): Promise<ImportBatch[]> => unwrap(commands.importHistory()),
  importUndo: (batch: number): Promise<UndoReport> => unwrap(commands.importUndo(batch)),
  importWriteFailures: (batch: number, path: string): Promise<number> => unwrap(commands.importWriteFailures(batch, path)),
  importSavePreset: (name: string, mapping: ColumnMapping[]): Promise<Preset> =>
    unwrap(commands.importSavePreset(name, mapping)),
  importDeletePreset: (id: string): Promise<null> => unwrap(commands.importDeletePreset(id)),
  dedupeScan: (options: ScanOptions): Promise<ScanReport> => unwrap(commands.dedupeScan(options)),
  dedupeCancel: (): Promise<null> => unwrap(commands.dedupeCancel()),
  dedupeCompare: (a: number, b: number): Promise<CandidatePair> => unwrap(commands.dedupeCompare(a, b)),
  dedupeBulkMerge: (minConfidence: number): Promise<BulkMergeReport> => unwrap(commands.dedupeBulkMerge(minConfidence)),
  leadSimilar: (input: LeadInput, editing: number | null): Promise<SimilarLead[]> =>
    unwrap(commands.leadSimilar(input, editing)),
  leadMerge: (survivor: number, merged: number, choices: MergeChoices): Promise<MergeReport> =>
    unwrap(commands.leadMerge(survivor, merged, choices)),
  leadUnmerge: (merge: number): Promise<UnmergeReport> => unwrap(commands.leadUnmerge(merge)),
  leadMerges: (lead: number): Promise<MergeSummary[]> => unwrap(commands.leadMerges(lead)),
  leadNotDuplicate: (a: number, b: number): Promise<null> => unwrap(commands.leadNotDuplicate(a, b)),
  scoringModel: (): Promise<StoredModel> => unwrap(commands.scoringModel()),
  scoringCatalogue: (): Promise<ScoringCatalogue> => unwrap(commands.scoringCatalogue()),
  scoringImpact: (model: ScoringModel): Promise<ImpactPreview> => unwrap(commands.scoringImpact(model)),
  scoringImpactLeads: (model: ScoringModel, kind: ImpactKind, offset: number, limit: number): Promise<ImpactPage> =>
    unwrap(commands.scoringImpactLeads(model, kind, offset, limit)),
  scoringSave: (model: ScoringModel): Promise<RecomputeReport> => unwrap(commands.scoringSave(model)),
  scoringExport: (path: string): Promise<null> => unwrap(commands.scoringExport(path)),
  scoringRead: (path: string): Promise<ScoringModel> => unwrap(commands.scoringRead(path)),
  leadExplain: (id: number): Promise<Explanation> => unwrap(commands.leadExplain(id)),
  leadScoreHistory: (id: number): Promise<ScoreHistoryEntry[]> => unwrap(commands.leadScoreHistory(id)),
  activityAdd: (input: ActivityInput): Promise<ActivityWritten> => unwrap(commands.activityAdd(input)),
  activityAddToLeads: (leads: number[], input: ActivityInput): Promise<number> => unwrap(commands.activityAddToLeads(leads, input)),
  activityRemove: (id: number): Promise<ActivityWritten> => unwrap(commands.activityRemove(id)),
  segmentFields: (): Promise<FieldInfo[]> => unwrap(commands.segmentFields()),
  segmentCount: (filter: unknown): Promise<SegmentCount> => unwrap(commands.segmentCount(filter)),
  segmentMembers: (filter: unknown, offset: number, limit: number): Promise<LeadPage> =>
    unwrap(commands.segmentMembers(filter, offset, limit)),
  segmentList: (): Promise<Segment[]> => unwrap(commands.segmentList()),
  segmentSave: (name: string, filter: unknown): Promise<Segment> => unwrap(commands.segmentSave(name, filter)),
  segmentUpdate: (id: number, name: string, filter: unknown): Promise<Segment> =>
    unwrap(commands.segmentUpdate(id, name, filter)),
  segmentDuplicate: (id: number): Promise<Segment> => unwrap(commands.segmentDuplicate(id)),
  segmentFreeze: (id: number): Promise<Segment> => unwrap(commands.segmentFreeze(id)),
  segmentDelete: (id: number): Promise<null> => unwrap(commands.segmentDelete(id)),
  dashboardCompute: (query: DashboardQuery): Promise<Dashboard> => unwrap(commands.dashboardCompute(query)),
  dashboardDrill: (query: DrillQuery): Promise<LeadPage> => unwrap(commands.dashboardDrill(query)),
  dashboardJourneys: (): Promise<JourneyFigures[]> => unwrap(commands.dashboardJourneys()),
  dashboardDormantSegment: (query: DashboardQuery, name: string): Promise<Segment> =>
    unwrap(commands.dashboardDormantSegment(query, name)),
  fileSave: (path: string, contents: Uint8Array): Promise<null> =>
    unwrap(commands.fileSave(path, Array.from(contents))),
  fileSavePdf: (path: string, jpeg: Uint8Array, width: number, height: number, dpi: number): Promise<null> =>
    unwrap(commands.fileSavePdf(path, Array.from(jpeg), width, height, dpi)),
  exportProfiles: (): Promise<ProfileInfo[]> => unwrap(commands.exportProfiles()),
  exportPreview: (request: ExportRequest): Promise<ExportPreview> => unwrap(commands.exportPreview(request)),
  exportWrite: (request: ExportRequest, path: string): Promise<ExportReport> =>
    unwrap(commands.exportWrite(request, path)),
  exportFolder: (): Promise<string | null> => unwrap(commands.exportFolder()),
  resultsImport: (path: string, skipInvalid: boolean): Promise<ResultsReport> =>
    unwrap(commands.resultsImport(path, skipInvalid)),
  consentList: (leadId: number): Promise<ConsentRecord[]> => unwrap(commands.consentList(leadId)),
  consentAdd: (input: ConsentInput): Promise<ConsentRecord> => unwrap(commands.consentAdd(input)),
  consentEdit: (id: number, input: ConsentInput): Promise<ConsentRecord> => unwrap(commands.consentEdit(id, input)),
  personExport: (leadId: number, path: string): Promise<PersonExportReport> =>
    unwrap(commands.personExport(leadId, path)),
  personErase: (leadId: number): Promise<EraseReport> => unwrap(commands.personErase(leadId)),
  suppressionExport: (path: string, plain: boolean): Promise<SuppressionExportReport> =>
    unwrap(commands.suppressionExport(path, plain)),
  suppressionImport: (path: string): Promise<SuppressionImportReport> => unwrap(commands.suppressionImport(path)),
  boardGet: (filter: BoardFilter, limit: number): Promise<Board> => unwrap(commands.boardGet(filter, limit)),
  boardColumn: (stage: string, filter: BoardFilter, offset: number, limit: number): Promise<ColumnPage> =>
    unwrap(commands.boardColumn(stage, filter, offset, limit)),
  boardMove: (lead: number, request: MoveRequest): Promise<MoveOutcome> => unwrap(commands.boardMove(lead, request)),
  boardMoveMany: (leads: number[], request: MoveRequest): Promise<BulkMoveReport> =>
    unwrap(commands.boardMoveMany(leads, request)),
  boardConfig: (): Promise<BoardConfig> => unwrap(commands.boardConfig()),
  boardConfigSave: (config: BoardConfig): Promise<number> => unwrap(commands.boardConfigSave(config)),
  leadQualificationSave: (lead: number, answers: Qualification): Promise<Qualification> =>
    unwrap(commands.leadQualificationSave(lead, answers)),
  leadSetOwner: (lead: number, owner: string): Promise<null> => unwrap(commands.leadSetOwner(lead, owner)),
  boardReactivation: (kind: ReactivationKind, offset: number, limit: number): Promise<ReactivationPage> =>
    unwrap(commands.boardReactivation(kind, offset, limit)),
  boardColumnIds: (stage: string, filter: BoardFilter): Promise<number[]> => unwrap(commands.boardColumnIds(stage, filter)),
  boardHandoffSheets: (leads: number[]): Promise<HandoffSheet[]> => unwrap(commands.boardHandoffSheets(leads)),
  boardHandoffCsv: (leads: number[], path: string): Promise<number> => unwrap(commands.boardHandoffCsv(leads, path)),
  journeyTemplates: (): Promise<Template[]> => unwrap(commands.journeyTemplates()),
  personaList: (): Promise<Persona[]> => unwrap(commands.personaList()),
  personaSave: (persona: Persona): Promise<Persona> => unwrap(commands.personaSave(persona)),
  journeyList: (): Promise<JourneySummary[]> => unwrap(commands.journeyList()),
  journeyCreate: (journey: NewJourney): Promise<JourneyMap> => unwrap(commands.journeyCreate(journey)),
  journeyGet: (id: number): Promise<JourneyMap> => unwrap(commands.journeyGet(id)),
  journeySave: (id: number, name: string, personaId: number, doc: JourneyDoc): Promise<JourneyMap> =>
    unwrap(commands.journeySave(id, name, personaId, doc)),
  journeyDelete: (id: number): Promise<null> => unwrap(commands.journeyDelete(id)),
  journeyMetrics: (id: number): Promise<JourneyMetrics> => unwrap(commands.journeyMetrics(id)),
  journeyDue: (id: number, date: string, limit: number): Promise<DueList> => unwrap(commands.journeyDue(id, date, limit)),
  journeyDueCsv: (id: number, date: string, path: string): Promise<number> => unwrap(commands.journeyDueCsv(id, date, path)),
  journeyMarkSent: (id: number, date: string, stage: string | null): Promise<SentReport> =>
    unwrap(commands.journeyMarkSent(id, date, stage)),
  encryptionStatus: (): Promise<boolean> => unwrap(commands.encryptionStatus()),
  databaseUnlock: (passphrase: string): Promise<null> => unwrap(commands.databaseUnlock(passphrase)),
  encryptionEnable: (passphrase: string): Promise<null> => unwrap(commands.encryptionEnable(passphrase)),
  encryptionChange: (current: string, passphrase: string): Promise<null> =>
    unwrap(commands.encryptionChange(current, passphrase)),
  encryptionDisable: (current: string): Promise<null> => unwrap(commands.encryptionDisable(current)),
  captureEvents: (): Promise<EventSummary[]> => unwrap(commands.captureEvents()),
  captureEventCreate: (event: NewEvent): Promise<EventSummary> => unwrap(commands.captureEventCreate(event)),
  captureCounts: (event: number): Promise<CaptureCounts> => unwrap(commands.captureCounts(event)),
  captureSave: (input: CaptureInput): Promise<CaptureSaved> => unwrap(commands.captureSave(input)),
  captureProducts: (): Promise<string[]> => unwrap(commands.captureProducts()),
  captureDraftSave: (input: CaptureInput): Promise<null> => unwrap(commands.captureDraftSave(input)),
  captureDrafts: (): Promise<CaptureDraft[]> => unwrap(commands.captureDrafts()),
  captureDraftDiscard: (event: number): Promise<null> => unwrap(commands.captureDraftDiscard(event)),
  capturePhotoAttach: (event: number, side: string, data: string): Promise<PhotoInfo> =>
    unwrap(commands.capturePhotoAttach(event, side, data)),
  capturePhotoAttachFile: (event: number, side: string, path: string): Promise<PhotoInfo> =>
    unwrap(commands.capturePhotoAttachFile(event, side, path)),
  capturePhotoRemove: (event: number, side: string): Promise<null> => unwrap(commands.capturePhotoRemove(event, side)),
  captureQrRead: (data: string): Promise<QrReading> => unwrap(commands.captureQrRead(data)),
  leadPhotos: (lead: number): Promise<PhotoInfo[]> => unwrap(commands.leadPhotos(lead)),
  photoImage: (photo: number): Promise<string> => unwrap(commands.photoImage(photo)),
};

/** Payload of the `db-changed` event the shell emits after every write. */
export type DbChange = { entity: string; ids: number[] };

/** Calls `cb` after each write to the database; resolves to the function that stops it. */
export async function onDbChanged(cb: (change: DbChange) => void): Promise<() => void> {
  return listen<DbChange>('db-changed', (event) => cb(event.payload));
}

/** Payload of the `import-progress` event a running import emits. */
export type ImportProgress = { rows: number; fraction: number };

/** Calls `cb` with the progress of a running import; resolves to the function that stops it. */
export async function onImportProgress(cb: (progress: ImportProgress) => void): Promise<() => void> {
  return listen<ImportProgress>('import-progress', (event) => cb(event.payload));
}

/** Payload of the `dedupe-progress` event a running scan or bulk merge emits. */
export type DedupeProgress = { phase: 'reading' | 'comparing' | 'backing_up' | 'merging'; done: number; total: number };

/** Calls `cb` with the progress of a running scan or bulk merge; resolves to the function
 * that stops it. */
export async function onDedupeProgress(cb: (progress: DedupeProgress) => void): Promise<() => void> {
  return listen<DedupeProgress>('dedupe-progress', (event) => cb(event.payload));
}

/** Payload of the `encryption-progress` event a re-encryption emits: bytes of the copy
 * written (`copying`), then checking and replacing it. */
export type EncryptionProgress = { stage: 'copying' | 'verifying' | 'replacing'; done: number; total: number };

/** Calls `cb` with the progress of a running re-encryption; resolves to the function that
 * stops it. */
export async function onEncryptionProgress(cb: (progress: EncryptionProgress) => void): Promise<() => void> {
  return listen<EncryptionProgress>('encryption-progress', (event) => cb(event.payload));
}

/** Payload of the `bulk-progress` event a running bulk action emits (leads done of total). */
export type BulkProgress = { done: number; total: number };

/** Calls `cb` with the progress of a running bulk action; resolves to the function that
 * stops it. */
export async function onBulkProgress(cb: (progress: BulkProgress) => void): Promise<() => void> {
  return listen<BulkProgress>('bulk-progress', (event) => cb(event.payload));
}

/** Payload of the `backup-progress` event a running backup or restore emits. */
export type BackupProgress = { pagesDone: number; pagesTotal: number };

/** Calls `cb` with the progress of a running backup or restore; resolves to the function
 * that stops it. */
export async function onBackupProgress(cb: (progress: BackupProgress) => void): Promise<() => void> {
  return listen<BackupProgress>('backup-progress', (event) => cb(event.payload));
}

/** Payload of the `scoring-save-progress` event a model save emits: the backup taken first
 * (pages), then the rescored leads written. */
export type ScoringSaveProgress = { phase: 'backup' | 'rescoring'; done: number; total: number };

/** Calls `cb` with the progress of a running model save; resolves to the function that stops
 * it. */
export async function onScoringSaveProgress(cb: (progress: ScoringSaveProgress) => void): Promise<() => void> {
  return listen<ScoringSaveProgress>('scoring-save-progress', (event) => cb(event.payload));
}

/** Calls `cb` when the check after start finds the database damaged (it is then closed). */
export async function onDbDamaged(cb: () => void): Promise<() => void> {
  return listen('db-damaged', () => cb());
}

/** Keeps a listener for the lifetime of a component: returns a synchronous cleanup for
 * `$effect`/`onMount`, which also covers the listener arriving after the component is gone. */
function subscription(started: Promise<() => void>): () => void {
  let stop: (() => void) | null = null;
  let stopped = false;
  started.then(
    (unlisten) => {
      if (stopped) unlisten();
      else stop = unlisten;
    },
    () => {
      // Outside Tauri (no event plugin) there are simply no events.
    },
  );
  return () => {
    stopped = true;
    try {
      stop?.();
    } catch {
      // The event plugin is already gone (the window is closing, or a test's mock).
    }
  };
}

/** Calls `cb` after each write, for the lifetime of a component. */
export function subscribeDbChanged(cb: (change: DbChange) => void): () => void {
  return subscription(onDbChanged(cb));
}

/** Calls `cb` when the check after start finds the database damaged, for the lifetime of a
 * component. */
export function subscribeDbDamaged(cb: () => void): () => void {
  return subscription(onDbDamaged(cb));
}

/** Calls `cb` with backup and restore progress, for the lifetime of a component. */
export function subscribeBackupProgress(cb: (progress: BackupProgress) => void): () => void {
  return subscription(onBackupProgress(cb));
}
