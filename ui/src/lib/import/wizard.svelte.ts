/**
 * The import wizard's state: the file, how to read it, where each column goes, the options,
 * the preview the backend computes for all of that, and the run with its result.
 *
 * It lives at module level, so that leaving the Import area (to look at the leads, say) and
 * coming back keeps the wizard where it was, and a running import keeps reporting progress.
 * Every change re-inspects the file; only the answer to the latest request is kept.
 */

import {
  ipc,
  onImportProgress,
  type ColumnMapping,
  type Field,
  type Format,
  type ImportInspection,
  type ImportMode,
  type ImportPlan,
  type ImportProgress,
  type ImportReport,
  type Preset,
  type TextEncoding,
  type UndoReport,
} from '../ipc';
import { splitTags } from '../leads/leadInput';
import { fieldOfChoice, type FieldChoice } from './fields';

export type RunKind = 'dry' | 'real';

export class ImportWizard {
  path = $state('');
  format = $state<Format | null>(null);
  encoding = $state<TextEncoding | null>(null);
  sheet = $state<string | null>(null);
  /** A preset the user chose (null: the one recognised from the headers, if any). */
  preset = $state<string | null>(null);
  /** The user's mapping (null: the preset's or the automatic one). */
  mapping = $state<ColumnMapping[] | null>(null);
  /** Columns whose field the user changed (by index). */
  edited = $state<number[]>([]);
  mode = $state<ImportMode>('create');
  keepExisting = $state<string[]>([]);
  tagsText = $state('');
  source = $state('import');
  event = $state('');

  inspection = $state<ImportInspection | null>(null);
  inspecting = $state(false);
  /** Why the file cannot be read (or the last inspection failed). */
  error = $state<unknown>(null);

  running = $state<RunKind | null>(null);
  progress = $state<ImportProgress | null>(null);
  cancelling = $state(false);
  dryReport = $state<ImportReport | null>(null);
  report = $state<ImportReport | null>(null);
  runError = $state<unknown>(null);

  undoing = $state(false);
  undoReport = $state<UndoReport | null>(null);
  undoError = $state<unknown>(null);

  #seq = 0;

  /** The rows the preview shows, as the backend will store them. */
  get preview() {
    return this.inspection?.preview ?? [];
  }

  get currentMapping(): ColumnMapping[] {
    return this.inspection?.mapping ?? [];
  }

  get presets(): Preset[] {
    return this.inspection?.presets ?? [];
  }

  get presetInUse(): string | null {
    return this.preset ?? this.inspection?.preset ?? null;
  }

  get tags(): string[] {
    return splitTags(this.tagsText);
  }

  get canRun(): boolean {
    return this.inspection !== null && !this.inspecting && this.running === null && this.error === null;
  }

  plan(): ImportPlan {
    return {
      path: this.path.trim(),
      options: { format: this.format, encoding: this.encoding, sheet: this.sheet },
      preset: this.mapping ? this.presetInUse : this.preset,
      mapping: this.mapping ? $state.snapshot(this.mapping) : null,
      mode: this.mode,
      keepExisting: this.mode === 'upsert' ? ($state.snapshot(this.keepExisting) as Field[]) : [],
      tags: this.tags,
      source: this.source === 'import' ? '' : this.source,
      event: this.event.trim() || null,
    };
  }

  /** A new file: everything chosen for the previous one is forgotten. */
  async choose(path: string): Promise<void> {
    this.clearFile();
    this.path = path;
    await this.inspect();
  }

  /** Back to the start (the options the user typed are kept). */
  clearFile(): void {
    this.#seq++;
    this.format = null;
    this.encoding = null;
    this.sheet = null;
    this.preset = null;
    this.mapping = null;
    this.edited = [];
    this.keepExisting = [];
    this.inspection = null;
    this.inspecting = false;
    this.error = null;
    this.dryReport = null;
    this.report = null;
    this.runError = null;
    this.progress = null;
    this.undoReport = null;
    this.undoError = null;
  }

  /** Starts over for another file (after a finished import). */
  startOver(): void {
    this.clearFile();
    this.path = '';
  }

  async inspect(): Promise<void> {
    if (!this.path.trim()) return;
    const seq = ++this.#seq;
    this.inspecting = true;
    this.dryReport = null;
    this.runError = null;
    try {
      const inspection = await ipc.importInspect(this.plan());
      if (seq !== this.#seq) return;
      this.inspection = inspection;
      this.error = null;
    } catch (error) {
      if (seq !== this.#seq) return;
      // A new file that cannot be read has nothing to show (choose() cleared it). When
      // re-reading fails (another encoding, format, sheet …), the last good reading stays,
      // dimmed, so that the choice can be undone from the same controls.
      this.error = error;
    } finally {
      if (seq === this.#seq) this.inspecting = false;
    }
  }

  setFormat(format: Format | null): Promise<void> {
    this.format = format;
    this.encoding = null;
    this.sheet = null;
    return this.reread();
  }

  setEncoding(encoding: TextEncoding | null): Promise<void> {
    this.encoding = encoding;
    return this.reread();
  }

  setSheet(sheet: string | null): Promise<void> {
    this.sheet = sheet;
    return this.reread();
  }

  /** The columns may differ once the file is read another way: the mapping starts afresh. */
  private reread(): Promise<void> {
    this.mapping = null;
    this.edited = [];
    return this.inspect();
  }

  setPreset(id: string | null): Promise<void> {
    this.preset = id;
    this.mapping = null;
    this.edited = [];
    return this.inspect();
  }

  setField(index: number, choice: FieldChoice): Promise<void> {
    const base = this.mapping ?? this.currentMapping;
    this.mapping = base.map((m, i) =>
      i === index ? { ...m, field: fieldOfChoice(choice, m.header) } : { ...m },
    );
    if (!this.edited.includes(index)) this.edited = [...this.edited, index];
    return this.inspect();
  }

  setMode(mode: ImportMode): Promise<void> {
    this.mode = mode;
    return this.inspect();
  }

  toggleKeep(field: string, keep: boolean): void {
    const others = this.keepExisting.filter((f) => f !== field);
    this.keepExisting = keep ? [...others, field] : others;
    this.dryReport = null;
  }

  /** Tags, source and event change what is stored: the preview (and a dry run) is redone. */
  optionsChanged(): Promise<void> {
    return this.inspect();
  }

  async savePreset(name: string): Promise<Preset> {
    const preset = await ipc.importSavePreset(name.trim(), this.mapping ?? this.currentMapping);
    if (this.inspection) {
      const others = this.inspection.presets.filter((p) => p.id !== preset.id);
      this.inspection = { ...this.inspection, presets: [...others, preset], preset: preset.id };
    }
    this.preset = preset.id;
    return preset;
  }

  async deletePreset(id: string): Promise<void> {
    await ipc.importDeletePreset(id);
    if (this.inspection) {
      this.inspection = {
        ...this.inspection,
        presets: this.inspection.presets.filter((p) => p.id !== id),
        preset: this.inspection.preset === id ? null : this.inspection.preset,
      };
    }
    if (this.preset === id) this.preset = null;
  }

  async run(kind: RunKind): Promise<ImportReport | null> {
    if (!this.canRun) return null;
    this.running = kind;
    this.progress = { rows: 0, fraction: 0 };
    this.cancelling = false;
    this.runError = null;
    if (kind === 'dry') this.dryReport = null;
    let stop: (() => void) | null = null;
    try {
      stop = await onImportProgress((p) => {
        if (this.running) this.progress = p;
      }).catch(() => null);
      const report = await ipc.importRun(this.plan(), kind === 'dry');
      if (kind === 'dry') this.dryReport = report;
      else {
        this.report = report;
        this.undoReport = null;
        this.undoError = null;
      }
      return report;
    } catch (error) {
      this.runError = error;
      return null;
    } finally {
      stop?.();
      this.running = null;
      this.progress = null;
      this.cancelling = false;
    }
  }

  async cancel(): Promise<void> {
    if (!this.running) return;
    this.cancelling = true;
    try {
      await ipc.importCancel();
    } catch (error) {
      this.cancelling = false;
      this.runError = error;
    }
  }

  /** Undoes the import just run (the history undoes older ones). */
  async undo(): Promise<UndoReport | null> {
    const batch = this.report?.batch;
    if (batch === null || batch === undefined) return null;
    this.undoing = true;
    this.undoError = null;
    try {
      this.undoReport = await ipc.importUndo(batch);
      return this.undoReport;
    } catch (error) {
      this.undoError = error;
      return null;
    } finally {
      this.undoing = false;
    }
  }
}

export let importWizard = new ImportWizard();

/** A fresh wizard (tests; the app keeps one for its lifetime). */
export function resetImportWizard(): ImportWizard {
  importWizard = new ImportWizard();
  importView.tab = 'wizard';
  fileDrag.active = false;
  return importWizard;
}

/** Which part of the Import area is shown (kept while the user visits other areas). */
export const importView = $state<{ tab: 'wizard' | 'history' | 'results' }>({ tab: 'wizard' });

/** Files are being dragged over the window (the drop target lights up). */
export const fileDrag = $state<{ active: boolean }>({ active: false });
