/** Words for a failed capture command: the capture screen's own text for its error codes
 * (not an image, no QR code, garbage in the QR …), else the app's usual wording. */
import { errorWithReason } from '../errors';
import { tOr } from '../i18n';
import { IpcError } from '../ipc';

export function captureErrorText(error: unknown): string {
  if (error instanceof IpcError && error.code === 'invalid') {
    const issue = error.details.fields[0];
    if (issue) return tOr(`capture.error.${issue.code}`, errorWithReason(error));
  }
  return errorWithReason(error);
}
