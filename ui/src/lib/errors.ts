/** Turning errors into words for the user: by code through the catalogue, with the server's
 * English message as the fallback for codes the UI has no text for. */

import { t, tOr } from './i18n';
import { IpcError, type FieldIssue } from './ipc';

export function errorCode(error: unknown): string {
  return error instanceof IpcError ? error.code : 'internal';
}

export function errorText(error: unknown): string {
  if (error instanceof IpcError) return tOr(`errorCode.${error.code}`, error.message);
  return t('errorCode.internal');
}

export function fieldIssueText(issue: Pick<FieldIssue, 'code' | 'message'>): string {
  return tOr(`error.${issue.code}`, issue.message || issue.code);
}

/** Words for a failed command, with the server's reason where the generic sentence would hide
 * it: a field issue's own text, or a conflict's explanation ("already merged into lead 77"). */
export function errorWithReason(error: unknown): string {
  if (error instanceof IpcError) {
    const issue = error.details.fields[0];
    if (error.code === 'invalid' && issue) return tOr(`error.${issue.code}`, issue.message);
    if (error.code === 'conflict') return `${t('error.conflictReason')} ${error.message}`;
  }
  return errorText(error);
}
