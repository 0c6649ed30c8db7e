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
