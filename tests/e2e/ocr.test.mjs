// Offline OCR in the real app: the bundled tesseract.js worker, WebAssembly core and models
// load under the app's CSP in the WebKitGTK webview, a rendered fixture card is read by
// readCardPhoto (the capture screen's OCR entry) and its email and phone come back right;
// a file that is not an image and a card with no text say so. The time per card is logged
// (docs/BENCHMARKS.md, "Offline OCR").
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ARTIFACTS, captureScreen, openApp, scratchDir, visible, waitFor, withApp } from './harness.mjs';

const FIXTURES = new URL('../fixtures/cards-ocr/', import.meta.url).pathname;
const CARD = '01-sample-shoji';

/** Runs readCardPhoto in the page on bytes given as base64 (an empty string: an empty
 * file; null: a blank white card drawn in the page); returns the fields or the error's
 * code and message (`failure`: a result with an `error` key reads as a WebDriver error to
 * the client), and the time it took. */
async function readInPage(browser, base64, type) {
  await browser.execute(
    (data, mime) => {
      window.ocrResult = null;
      const photo =
        data === null
          ? new Promise((resolve) => {
              const canvas = document.createElement('canvas');
              canvas.width = 910;
              canvas.height = 550;
              const g = canvas.getContext('2d');
              g.fillStyle = '#fff';
              g.fillRect(0, 0, 910, 550);
              canvas.toBlob(resolve);
            })
          : Promise.resolve(new Blob([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], { type: mime }));
      const started = performance.now();
      photo
        .then((blob) => window.sodateReadCardPhoto(blob))
        .then((fields) => (window.ocrResult = { fields, ms: performance.now() - started }))
        .catch((e) => (window.ocrResult = { failure: String(e?.message ?? e), code: e?.code ?? '', ms: performance.now() - started }));
    },
    base64,
    type,
  );
  return waitFor(() => browser.execute(() => window.ocrResult), 'OCR did not finish', 120000);
}

test('a card photo is read offline in the real webview', withApp('ocr', async (s) => {
  const dir = scratchDir('ocr');
  s.browser = await openApp(join(dir, 'ocr.db'));
  const b = s.browser;
  await visible(b, 'nav-dashboard', 30000);

  const expected = JSON.parse(readFileSync(join(FIXTURES, `${CARD}.json`), 'utf8'));
  const card = readFileSync(join(FIXTURES, `${CARD}.png`)).toString('base64');
  const cold = await readInPage(b, card, 'image/png');
  assert.equal(cold.failure, undefined, `OCR failed: ${cold.failure}`);
  assert.equal(cold.fields.email, expected.email);
  assert.equal(cold.fields.phone, expected.phone);
  assert.equal(cold.fields.company, expected.company);
  // What was read, beside the photo, over the app (the capture screen that will show it
  // arrives with the rest of issue 9): kept as docs/screenshot-ocr.png.
  await b.execute(
    (data, fields) => {
      const overlay = document.createElement('div');
      overlay.style.cssText =
        'position:fixed;inset:0;z-index:9999;background:#f6f7f9;display:flex;gap:24px;padding:32px;font:14px "Noto Sans CJK JP",sans-serif';
      const img = document.createElement('img');
      img.src = `data:image/png;base64,${data}`;
      img.style.cssText = 'width:640px;align-self:flex-start;box-shadow:0 2px 12px rgba(0,0,0,.2)';
      const table = document.createElement('table');
      table.style.cssText = 'border-collapse:collapse;align-self:flex-start;background:#fff';
      for (const [k, v] of Object.entries(fields)) {
        if (!v) continue;
        const row = table.insertRow();
        row.insertCell().textContent = k;
        row.insertCell().textContent = v;
        for (const c of row.cells) c.style.cssText = 'border:1px solid #dde;padding:4px 10px;white-space:pre-line';
      }
      overlay.append(img, table);
      document.body.append(overlay);
    },
    card,
    cold.fields,
  );
  await b.pause(300);
  captureScreen(join(ARTIFACTS, 'ocr-result.png'));
  await b.execute(() => document.body.lastElementChild?.remove());
  const warm = await readInPage(b, card, 'image/png');
  assert.equal(warm.fields.email, expected.email);
  const photo = readFileSync(join(FIXTURES, '03-midori-giken-photo.jpg')).toString('base64');
  const jpeg = await readInPage(b, photo, 'image/jpeg');
  assert.equal(jpeg.fields?.phone, '06-6345-1200', jpeg.failure);
  console.log(
    `OCR in the webview: first card ${(cold.ms / 1000).toFixed(2)} s (engine and models loaded), ` +
      `same card again ${(warm.ms / 1000).toFixed(2)} s, photographed JPEG ${(jpeg.ms / 1000).toFixed(2)} s`,
  );

  const notImage = await readInPage(b, Buffer.from('this is not a picture').toString('base64'), 'image/png');
  assert.equal(notImage.code, 'not_an_image');
  assert.match(notImage.failure, /画像ではありません/);

  const empty = await readInPage(b, '', 'image/png');
  assert.equal(empty.code, 'empty_image');

  // A blank card: white paper, no text.
  const blank = await readInPage(b, null, 'image/png');
  assert.equal(blank.code, 'no_text', JSON.stringify(blank));
  assert.match(blank.failure, /文字が見つかりませんでした/);
}));
