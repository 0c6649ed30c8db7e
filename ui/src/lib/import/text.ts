/** The words of the import wizard that depend on data: field names, actions, codes. */

import { t, tOr, type MessageKey } from '../i18n';
import { localeState } from '../i18n/locale.svelte';
import { errorText } from '../errors';
import { IpcError, type Format, type Preset, type RowAction, type TextEncoding, type UndoNote } from '../ipc';
import { CUSTOM, IGNORE, type FieldChoice } from './fields';

export function fieldChoiceLabel(choice: FieldChoice): string {
  if (choice === CUSTOM) return t('import.field.custom');
  if (choice === IGNORE) return t('import.field.ignore');
  return t(`import.field.${choice}` as MessageKey);
}

/** A lead field named by its camelCase form key (`familyName`, as issues and undo notes name them). */
export function leadFieldLabel(key: string): string {
  return tOr(`lead.field.${key}`, tOr(`import.issueField.${key}`, key));
}

export function actionLabel(action: RowAction): string {
  return t(`import.action.${action}` as MessageKey);
}

export function encodingLabel(encoding: TextEncoding): string {
  return t(`import.encoding.${encoding}` as MessageKey);
}

export function formatLabel(format: Format | string): string {
  return tOr(`import.format.${format}`, format.toUpperCase());
}

export function modeLabel(mode: string): string {
  return tOr(`import.mode.${mode}.short`, mode);
}

export function presetName(preset: Preset): string {
  return localeState.current === 'ja' ? preset.nameJa : preset.nameEn;
}

export function isUserPreset(id: string | null | undefined): boolean {
  return !!id && id.startsWith('user:');
}

/** A problem with one cell or row of the file (import codes, then the lead form's). */
export function issueText(issue: { code: string; message: string }): string {
  return tOr(`import.issue.${issue.code}`, tOr(`error.${issue.code}`, issue.message || issue.code));
}


export interface ImportErrorText {
  /** What went wrong, in the user's language. */
  text: string;
  /** The backend's own (English) sentence, for the details. */
  detail: string | null;
}

/** Why a file could not be inspected or imported. */
export function importErrorText(error: unknown): ImportErrorText {
  if (error instanceof IpcError) {
    if (error.code === 'cancelled') return { text: t('import.run.cancelled'), detail: null };
    const issue = error.details.fields[0];
    if (error.code === 'invalid' && issue) {
      const row = issue.row ?? null;
      const known = `import.fileError.${issue.code}`;
      const text = tOr(known, tOr(`import.issue.${issue.code}`, tOr(`error.${issue.code}`, issue.message)));
      const where = row !== null ? t('import.fileError.atRow', { row }) : '';
      return { text: where ? `${where}${text}` : text, detail: issue.message };
    }
    return { text: errorText(error), detail: error.message };
  }
  return { text: errorText(error), detail: error instanceof Error ? error.message : null };
}

/** Why the undo left a lead (or some of its fields) as it is. */
export function undoNoteText(note: UndoNote): string {
  if (note.code === 'changed_since') {
    const list = note.message.split(': ').slice(1).join(': ');
    const fields = list
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean)
      .map(leadFieldLabel)
      .join(localeState.current === 'ja' ? '、' : ', ');
    return fields ? t('import.undoNote.changed_since', { fields }) : t('import.undoNote.changed_since_plain');
  }
  return tOr(`import.undoNote.${note.code}`, note.message);
}
