// Offline OCR in the real app, from the capture screen: a rendered fixture card is attached as
// the front photo, 「写真から読み取る」 runs the bundled tesseract.js worker, WebAssembly core
// and models under the app's CSP in the WebKitGTK webview, and the form fills with the card's
// email, phone and company, marked as read. The card is saved, then a photographed JPEG card
// replaces the photo and is read too. A blank white card says plainly that no text was found.
// The time per card is logged (docs/BENCHMARKS.md, "Offline OCR").
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ARTIFACTS, captureScreen, openApp, scratchDir, sodate, textOf, visible, waitFor, withApp } from './harness.mjs';

const FIXTURES = new URL('../fixtures/cards-ocr/', import.meta.url).pathname;
const CARD = '01-sample-shoji';

/** Puts a picture into the front photo's hidden file input as the file chooser does; `null`
 * draws a blank white card in the page instead. */
async function chooseFront(b, path, type) {
  const base64 = path ? readFileSync(path).toString('base64') : null;
  await b.execute(
    async (data, mime) => {
      const blob =
        data === null
          ? await new Promise((resolve) => {
              const canvas = document.createElement('canvas');
              canvas.width = 910;
              canvas.height = 550;
              const g = canvas.getContext('2d');
              g.fillStyle = '#fff';
              g.fillRect(0, 0, 910, 550);
              canvas.toBlob(resolve, 'image/png');
            })
          : new Blob([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], { type: mime });
      const input = document.querySelector('[data-testid="capture-photo-input-front"]');
      const transfer = new DataTransfer();
      transfer.items.add(new File([blob], 'card', { type: mime }));
      input.files = transfer.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    },
    base64,
    type,
  );
}

const valueOf = (b, testid) => b.execute((id) => document.querySelector(`[data-testid="${id}"]`)?.value ?? null, testid);
const photoId = (b) => b.execute(() => document.querySelector('[data-testid="capture-photo-front"] img')?.getAttribute('src') ?? '');

/** Attaches a front photo, waits for its thumbnail, presses 「写真から読み取る」 and waits until
 * the reading is done (its progress bar gone); returns the seconds it took. */
async function readFront(b, path, type) {
  const before = await photoId(b);
  await chooseFront(b, path, type);
  await waitFor(async () => {
    const now = await photoId(b);
    return now !== '' && now !== before;
  }, 'the photo is attached', 20000);
  const started = Date.now();
  await (await visible(b, 'capture-ocr')).click();
  await waitFor(
    () => b.execute(() => !document.querySelector('[data-testid="capture-ocr-progress"]') && !document.querySelector('[data-testid="capture-ocr"]')?.disabled),
    'the reading finished',
    120000,
  );
  return (Date.now() - started) / 1000;
}

test('a card photo is read offline on the capture screen', withApp('ocr', async (s) => {
  const dir = scratchDir('ocr');
  const db = join(dir, 'ocr.db');
  sodate('--db', db, 'stats', '--json');
  const b = (s.browser = await openApp(db));
  await (await visible(b, 'nav-capture', 30000)).click();
  const name = await visible(b, 'capture-new-name');
  await name.click();
  await b.execute(() => {
    const el = document.activeElement;
    el.value = '名刺読み取りテスト';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await b.keys('Enter');
  await visible(b, 'capture-company');

  const expected = JSON.parse(readFileSync(join(FIXTURES, `${CARD}.json`), 'utf8'));
  const cold = await readFront(b, join(FIXTURES, `${CARD}.png`), 'image/png');
  assert.equal(await valueOf(b, 'capture-email'), expected.email);
  assert.equal(await valueOf(b, 'capture-phone'), expected.phone);
  assert.equal(await valueOf(b, 'capture-company'), expected.company);
  assert.ok(await (await b.$('[data-testid="capture-prefilled-email"]')).isDisplayed(), 'the email is marked as read');
  await b.pause(300);
  captureScreen(join(ARTIFACTS, 'ocr-capture-ja.png'));

  // Saved like a typed card: the lead exists with what was read.
  await (await visible(b, 'capture-save')).click();
  await waitFor(async () => (await textOf(await visible(b, 'capture-count-event'))).includes('1'), 'the count shows one card');
  const leads = sodate('--db', db, 'leads', '--json');
  assert.equal(leads.total, 1);
  assert.equal(leads.leads[0].email, expected.email);

  // A photographed card (JPEG, perspective and noise) on the empty form.
  const photographed = await readFront(b, join(FIXTURES, '03-midori-giken-photo.jpg'), 'image/jpeg');
  assert.equal(await valueOf(b, 'capture-phone'), '06-6345-1200');
  console.log(
    `OCR on the capture screen: first card ${cold.toFixed(2)} s (engine and models loaded), ` +
      `photographed JPEG ${photographed.toFixed(2)} s`,
  );

  // A blank card: white paper, no text. Said plainly; the fields read before stay.
  await readFront(b, null, 'image/png');
  const message = await visible(b, 'capture-message');
  await waitFor(async () => /文字が見つかりませんでした/.test(await textOf(message)), 'the blank card is reported');
  assert.equal(await valueOf(b, 'capture-phone'), '06-6345-1200');
}));
