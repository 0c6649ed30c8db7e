/**
 * The OCR seam of the capture form: reads a photo of a business card into card fields.
 *
 * This build has no OCR engine: the real implementation (tesseract.js with the Japanese model
 * shipped in the app, and the parser that splits the text into fields) replaces this file.
 * The signature is the contract the capture form calls.
 */
import type { CardFields } from '../ipc/bindings';

export async function readCardPhoto(
  photo: Blob,
  onProgress?: (fraction: number, label: string) => void,
): Promise<CardFields> {
  void photo;
  void onProgress;
  throw new Error('OCR engine not available in this build');
}
