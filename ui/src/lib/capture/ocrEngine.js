// @ts-check
/**
 * The OCR engine's settings and image preparation, shared by the app (`ocr.ts`), the Vite
 * build (which copies the engine and the models into the bundle) and the accuracy script
 * (`tests/ocr/accuracy.mjs`, tesseract.js in Node), so that what is measured is what ships.
 * Plain JavaScript so that Node imports it without a build step.
 *
 * Nothing is downloaded at run time: the worker, the WebAssembly core and both models are
 * files of the app (see `OCR_ASSETS`), and tesseract.js is given their paths.
 */

/** Japanese first: its model also reads Latin letters and digits; English helps romaji. */
export const OCR_LANGS = ['jpn', 'eng'];

/** tesseract's LSTM engine only (OEM 1): the `4.0.0_best_int` models are LSTM models. */
export const OCR_OEM = 1;

/** Page segmentation 11 (sparse text): a card is scattered blocks, not a page of prose. */
/** @type {Partial<import('tesseract.js').WorkerParams>} */
export const OCR_PARAMETERS = /** @type {any} */ ({
  tessedit_pageseg_mode: '11',
  preserve_interword_spaces: '1',
});

/** Where the assets live in the built UI (`ui/build/ocr/…`). */
export const OCR_ASSET_DIR = 'ocr';

/**
 * The WebAssembly core, given to tesseract.js as a file (not a folder to choose from): the
 * SIMD LSTM build, the one Node 20 runs in the accuracy script. tesseract.js would pick the
 * relaxed-SIMD build where the webview has relaxed SIMD, whose fused multiply-adds may round
 * differently and read some cards differently from what was measured. WebKitGTK, WebView2
 * and Safari 16.4+ have WebAssembly SIMD.
 */
export const OCR_CORE_FILE = 'core/tesseract-core-simd-lstm.wasm.js';

/**
 * The files copied into `ui/build/ocr`: [path under node_modules, path under ocr/].
 * @type {ReadonlyArray<readonly [string, string]>}
 */
export const OCR_ASSETS = [
  ['tesseract.js/dist/worker.min.js', 'worker.min.js'],
  ['tesseract.js-core/tesseract-core-simd-lstm.wasm.js', OCR_CORE_FILE],
  ['@tesseract.js-data/jpn/4.0.0_best_int/jpn.traineddata.gz', 'lang/jpn.traineddata.gz'],
  ['@tesseract.js-data/eng/4.0.0_best_int/eng.traineddata.gz', 'lang/eng.traineddata.gz'],
];

/** The longer side OCR works on: small photos are enlarged to it (tesseract reads
 * characters best at 20–40 px high), big ones reduced (speed). */
export const OCR_TARGET_LONG_SIDE = 1400;

/** Photos larger than this many pixels are refused before decoding work starts. */
export const OCR_MAX_PIXELS = 40_000_000;

/**
 * Greyscale and scaled copy of an RGBA image for OCR (bilinear), with its contrast
 * stretched to the full range (dim photos, coloured bands). Pure: the same in the webview
 * (canvas ImageData) and in Node (a decoded PNG).
 * @param {{ data: Uint8ClampedArray | Uint8Array, width: number, height: number }} image
 * @returns {{ data: Uint8ClampedArray, width: number, height: number }}
 */
export function prepareForOcr(image) {
  const { data, width, height } = image;
  const scale = OCR_TARGET_LONG_SIDE / Math.max(width, height);
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  const grey = new Float32Array(width * height);
  for (let i = 0; i < width * height; i++) {
    const r = data[i * 4] ?? 0;
    const g = data[i * 4 + 1] ?? 0;
    const b = data[i * 4 + 2] ?? 0;
    const a = (data[i * 4 + 3] ?? 255) / 255;
    // Transparent pixels are paper (white).
    grey[i] = (0.299 * r + 0.587 * g + 0.114 * b) * a + 255 * (1 - a);
  }
  const out = new Float32Array(w * h);
  let lo = 255;
  let hi = 0;
  for (let y = 0; y < h; y++) {
    const sy = Math.min(height - 1, Math.max(0, (y + 0.5) / scale - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(height - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < w; x++) {
      const sx = Math.min(width - 1, Math.max(0, (x + 0.5) / scale - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(width - 1, x0 + 1);
      const fx = sx - x0;
      const top = (grey[y0 * width + x0] ?? 0) * (1 - fx) + (grey[y0 * width + x1] ?? 0) * fx;
      const bottom = (grey[y1 * width + x0] ?? 0) * (1 - fx) + (grey[y1 * width + x1] ?? 0) * fx;
      const v = top * (1 - fy) + bottom * fy;
      out[y * w + x] = v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const range = Math.max(1, hi - lo);
  const rgba = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    const v = (((out[i] ?? 0) - lo) * 255) / range;
    rgba[i * 4] = v;
    rgba[i * 4 + 1] = v;
    rgba[i * 4 + 2] = v;
    rgba[i * 4 + 3] = 255;
  }
  return { data: rgba, width: w, height: h };
}

/**
 * tesseract.js's result blocks → the OCR lines the core parser takes (text, box, row
 * height, confidence, words with boxes).
 * @param {any} page tesseract.js `recognize(…, {}, { blocks: true })` data
 * @returns {Array<{ text: string, bbox: { left: number, top: number, width: number, height: number }, lineHeight: number, confidence: number, words: Array<{ text: string, bbox: { left: number, top: number, width: number, height: number } }> }>}
 */
export function linesOfPage(page) {
  /** @param {{ x0: number, y0: number, x1: number, y1: number }} b */
  const box = (b) => ({ left: b.x0, top: b.y0, width: b.x1 - b.x0, height: b.y1 - b.y0 });
  const lines = [];
  for (const block of page?.blocks ?? []) {
    for (const paragraph of block.paragraphs ?? []) {
      for (const line of paragraph.lines ?? []) {
        const text = String(line.text ?? '').trim();
        if (!text) continue;
        lines.push({
          text,
          bbox: box(line.bbox),
          lineHeight: Number(line.rowAttributes?.row_height ?? 0) || 0,
          confidence: Number(line.confidence ?? 0) || 0,
          words: (line.words ?? []).map((/** @type {any} */ w) => ({
            text: String(w.text ?? ''),
            bbox: box(w.bbox),
          })),
        });
      }
    }
  }
  return lines;
}

/** Settings of the second, English-only pass over one line (page segmentation 7: a
 * single text line). */
/** @type {Partial<import('tesseract.js').WorkerParams>} */
export const LATIN_PASS_PARAMETERS = /** @type {any} */ ({
  tessedit_pageseg_mode: '7',
  preserve_interword_spaces: '1',
});

const JAPANESE = /[\u3000-\u30ff\u3400-\u9fff\uff5f-\uff9f]/u;

/**
 * The lines the English model reads again: e-mail and web addresses (mostly Latin letters),
 * where the Japanese model misreads `@` (as ⑦ or (の), `//` and letters. Phone lines stay
 * with the Japanese model: it reads their digits and labels (携帯) better.
 * @param {ReturnType<typeof linesOfPage>} lines
 * @returns {number[]} their indexes
 */
export function linesForLatinPass(lines) {
  /** @type {number[]} */
  const picked = [];
  lines.forEach((line, i) => {
    const text = line.text;
    const chars = [...text.replace(/\s/g, '')];
    if (chars.length < 6) return;
    const latin = chars.filter((c) => c.charCodeAt(0) < 128).length / chars.length;
    const address = /mail|@|⑦|http|www|\.(jp|com|net|org)\b/i.test(text);
    if (address && latin >= 0.6) picked.push(i);
  });
  return picked;
}

/**
 * The rectangle of a line to read again, with a margin of half its height, inside the image.
 * @param {{ bbox: { left: number, top: number, width: number, height: number } }} line
 * @param {number} width
 * @param {number} height
 */
export function latinRectangle(line, width, height) {
  const m = Math.round(line.bbox.height * 0.5);
  const left = Math.max(0, Math.floor(line.bbox.left - m));
  const top = Math.max(0, Math.floor(line.bbox.top - m));
  return {
    left,
    top,
    width: Math.min(width - left, Math.ceil(line.bbox.width + 2 * m)),
    height: Math.min(height - top, Math.ceil(line.bbox.height + 2 * m)),
  };
}

/**
 * The pixels inside `rect` (a copy).
 * @param {{ data: Uint8ClampedArray, width: number, height: number }} image
 * @param {{ left: number, top: number, width: number, height: number }} rect
 * @returns {{ data: Uint8ClampedArray, width: number, height: number }}
 */
export function cropPixels(image, rect) {
  const w = Math.max(1, rect.width);
  const h = Math.max(1, rect.height);
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    const from = ((rect.top + y) * image.width + rect.left) * 4;
    data.set(image.data.subarray(from, from + w * 4), y * w * 4);
  }
  return { data, width: w, height: h };
}

/**
 * A line with the English pass's text: a Japanese label the English model cannot read
 * (携帯, 電話 …) is kept from the first pass. Empty English text keeps the line as it was.
 * @template {ReturnType<typeof linesOfPage>[number]} L
 * @param {L} line
 * @param {string} latinText
 * @returns {L}
 */
export function withLatinText(line, latinText) {
  const text = latinText.trim();
  if (!text) return line;
  const label = line.text.match(/^[^\p{ASCII}]+\s*/u)?.[0] ?? '';
  if (!label || !JAPANESE.test(label)) return { ...line, text, words: [] };
  // What the English model made of the label is dropped: its text from where the first
  // pass's text after the label starts (its first three characters), else from the first
  // word character.
  const start = line.text.slice(label.length).trim().slice(0, 3);
  const at = start ? text.indexOf(start) : -1;
  const rest = at >= 0 ? text.slice(at) : text.replace(/^[^\w+(]+/, '');
  return { ...line, text: `${label.trim()} ${rest}`, words: [] };
}
