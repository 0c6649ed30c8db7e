/**
 * Offline OCR of a business-card photo: tesseract.js with the Japanese and English models
 * shipped in the app (ui/build/ocr, copied there by the Vite build; nothing is downloaded),
 * the recognised lines with their geometry split into fields by the core
 * (`card_text_parse`). One worker is created on first use and kept for the next cards.
 *
 * Settings and image preparation come from `ocrEngine.js`, which the accuracy script
 * (tests/ocr/accuracy.mjs) shares, so the measured accuracy is this code's.
 */

import { createWorker, type Worker } from 'tesseract.js';

import { t } from '../i18n';
import { ipc, IpcError, type CardFields } from '../ipc';
import {
  LATIN_PASS_PARAMETERS,
  OCR_ASSET_DIR,
  OCR_CORE_FILE,
  OCR_LANGS,
  OCR_MAX_PIXELS,
  OCR_OEM,
  OCR_PARAMETERS,
  cropPixels,
  latinRectangle,
  linesForLatinPass,
  linesOfPage,
  prepareForOcr,
  withLatinText,
} from './ocrEngine.js';
import { PhotoDecodeError, photoPixels, pixelsToPng } from './photoPixels';

export type OcrErrorCode =
  | 'not_an_image'
  | 'empty_image'
  | 'image_too_large'
  | 'no_text'
  | 'no_card_fields'
  | 'ocr_failed';

/** Why a photo gave no fields, in the user's language (`message`) and as a code. */
export class OcrError extends Error {
  constructor(
    readonly code: OcrErrorCode,
    detail?: string,
  ) {
    super(t(`ocr.error.${code}`) + (detail ? ` (${detail})` : ''));
    this.name = 'OcrError';
  }
}

type Progress = (fraction: number, label: string) => void;

/** The Japanese+English reader of the whole card, and the English-only reader of its
 * e-mail and web lines (see `linesForLatinPass`). */
type Engine = { card: Worker; latin: Worker };

let engine: Promise<Engine> | null = null;
/** The progress callback of the card being read (the worker's logger is set once). */
let reportProgress: Progress | undefined;

function assetUrl(path: string): string {
  return new URL(`${OCR_ASSET_DIR}/${path}`, document.baseURI).href;
}

const workerOptions = () => ({
  workerPath: assetUrl('worker.min.js'),
  corePath: assetUrl(OCR_CORE_FILE),
  langPath: assetUrl('lang'),
  workerBlobURL: false,
  gzip: true,
  cacheMethod: 'none',
});

function startEngine(): Promise<Engine> {
  engine ??= (async () => {
    const card = await createWorker(OCR_LANGS, OCR_OEM, {
      ...workerOptions(),
      logger: (m: { status: string; progress: number }) => {
        if (m.status === 'recognizing text') {
          reportProgress?.(0.25 + 0.6 * m.progress, t('ocr.progress.recognizing'));
        }
      },
    });
    await card.setParameters(OCR_PARAMETERS);
    const latin = await createWorker(['eng'], OCR_OEM, workerOptions());
    await latin.setParameters(LATIN_PASS_PARAMETERS);
    return { card, latin };
  })();
  // A failed start is not kept: the next card tries again.
  engine.catch(() => {
    engine = null;
  });
  return engine;
}

/** Starts the engine ahead of the first card (the capture screen calls it when it opens):
 * loading both workers and models takes seconds that the first photo then does not wait. */
export function warmUpOcr(): void {
  startEngine().catch(() => {
    // Told when a card is read: readCardPhoto starts the engine again and reports it.
  });
}

/**
 * The fields of the card in `photo`. `onProgress` is told how far it is (0–1) and what it
 * is doing, in the user's language. Throws an `OcrError` when the photo is not an image, is
 * empty or too large, or has no text or nothing that looks like a card's field.
 */
export async function readCardPhoto(photo: Blob, onProgress?: (fraction: number, label: string) => void): Promise<CardFields> {
  reportProgress = onProgress;
  try {
    onProgress?.(0, t('ocr.progress.preparing'));
    let prepared;
    try {
      prepared = prepareForOcr(await photoPixels(photo, OCR_MAX_PIXELS));
    } catch (error) {
      if (error instanceof PhotoDecodeError) throw new OcrError(error.reason);
      throw error;
    }
    const image = await pixelsToPng(prepared);
    onProgress?.(0.1, t('ocr.progress.loading'));
    let lines;
    try {
      const ocr = await startEngine();
      onProgress?.(0.25, t('ocr.progress.recognizing'));
      const { data: page } = await ocr.card.recognize(image, {}, { blocks: true, text: false });
      lines = linesOfPage(page);
      for (const i of linesForLatinPass(lines)) {
        const line = lines[i];
        if (!line) continue;
        const crop = await pixelsToPng(cropPixels(prepared, latinRectangle(line, prepared.width, prepared.height)));
        const { data: latin } = await ocr.latin.recognize(crop);
        lines[i] = withLatinText(line, latin.text);
      }
    } catch (error) {
      throw new OcrError('ocr_failed', error instanceof Error ? error.message : String(error));
    }
    if (lines.length === 0) throw new OcrError('no_text');
    onProgress?.(0.95, t('ocr.progress.fields'));
    try {
      const fields = await ipc.cardTextParse(lines);
      onProgress?.(1, t('ocr.progress.done'));
      return fields;
    } catch (error) {
      const code = error instanceof IpcError ? error.details.fields[0]?.code : undefined;
      if (code === 'no_text' || code === 'no_card_fields') throw new OcrError(code);
      throw error;
    }
  } finally {
    reportProgress = undefined;
  }
}
