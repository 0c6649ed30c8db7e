// Card capture in the real app. An event is created, then three cards are entered with the
// keyboard only: typing into the focused field, Tab to the next one (the tab order of a
// Japanese card), Enter to save — the focus returns to the first field for the next card.
// The third card repeats the first: the duplicate warning names the first lead and
// Ctrl+Enter adds the visit to it instead of creating a lead. The CLI then sees 2 leads, the
// first with 2 booth visits. Finally a QR fixture image prefills the form (marked as read)
// and a photo without a QR code is refused plainly with the form left as it was.
// Screenshots in both languages land in artifacts/ (copied to docs/ by hand).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ARTIFACTS, captureScreen, openApp, scratchDir, sodate, textOf, visible, waitFor, withApp } from './harness.mjs';

const QR_FIXTURES = new URL('../fixtures/qr/', import.meta.url).pathname;

/** Types `text` into whatever has the focus, as a keyboard (and an IME commit) would. */
async function typeHere(b, text) {
  if (text) await b.keys([...text]);
  const value = await b.execute(() => document.activeElement?.value ?? null);
  if (value !== text) {
    // WebKitWebDriver may drop non-ASCII keystrokes: commit the text like an IME does.
    await b.execute((v) => {
      const el = document.activeElement;
      el.value = v;
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }, text);
  }
}

const focusedTestId = (b) => b.execute(() => document.activeElement?.getAttribute('data-testid') ?? '');

/** Fills the card from the first field on, with Tab between fields; `values` in tab order. */
async function typeCard(b, values) {
  for (const [field, text] of values) {
    assert.equal(await focusedTestId(b), `capture-${field}`, `the focus is on ${field}`);
    await typeHere(b, text);
    await b.keys('Tab');
  }
}

const ORDER = ['company', 'companyReading', 'department', 'title', 'familyName', 'givenName', 'familyReading', 'givenReading', 'email'];

/** Values for every field up to the email, in tab order (blank ones are tabbed over). */
function card(values) {
  return ORDER.map((field) => [field, values[field] ?? '']);
}

/** Puts a file into a hidden file input as the file chooser does. */
async function chooseFile(b, testid, path, type) {
  const base64 = readFileSync(path).toString('base64');
  const name = path.split('/').pop();
  await b.execute(
    (id, data, fileName, mime) => {
      const input = document.querySelector(`[data-testid="${id}"]`);
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], fileName, { type: mime }));
      input.files = transfer.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    },
    testid,
    base64,
    name,
    type,
  );
}

const language = (b, locale) =>
  b.execute((l) => {
    const select = document.querySelector('[data-testid="sidebar-lang"]');
    if (!select) return;
    select.value = l;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  }, locale);

test(
  'three cards by keyboard, the repeat becomes a visit, a QR badge prefills the form',
  withApp('capture', async (session) => {
    const dir = scratchDir('capture');
    const db = join(dir, 'capture.db');
    sodate('--db', db, 'stats', '--json');
    const b = (session.browser = await openApp(db));
    await (await visible(b, 'nav-capture')).click();

    // The event: typed into its form and created with Enter.
    const name = await visible(b, 'capture-new-name');
    await name.click();
    await typeHere(b, '営業DX EXPO 2026 秋');
    await b.keys('Enter');
    const first = await visible(b, 'capture-company');
    await waitFor(async () => (await focusedTestId(b)) === 'capture-company', 'the first field has the focus');

    // Card 1 and card 2: keyboard only.
    await typeCard(
      b,
      card({
        company: '株式会社サンプル',
        department: '営業部',
        title: '部長',
        familyName: '山田',
        givenName: '太郎',
        familyReading: 'やまだ',
        givenReading: 'たろう',
        email: 'taro.yamada@sample.example.jp',
      }),
    );
    await b.keys('Enter');
    await waitFor(async () => (await textOf(await visible(b, 'capture-count-event'))).includes('1'), 'the count shows one card');
    await waitFor(async () => (await focusedTestId(b)) === 'capture-company' && (await first.getValue()) === '', 'the form is cleared for the next card');

    await typeCard(
      b,
      card({ company: '東都システム株式会社', familyName: '佐藤', givenName: '花子', familyReading: 'さとう', email: 'hanako.sato@toto.example.jp' }),
    );
    await b.keys('Enter');
    await waitFor(async () => (await textOf(await visible(b, 'capture-count-event'))).includes('2'), 'the count shows two cards');
    await waitFor(async () => (await focusedTestId(b)) === 'capture-company', 'the focus is back on the first field');

    // Card 3 repeats card 1: the warning names the first lead.
    await typeCard(b, card({ company: '(株)サンプル', familyName: '山田', givenName: '太郎', email: 'TARO.YAMADA@sample.example.jp' }));
    const warning = await visible(b, 'similar-leads');
    await waitFor(async () => (await textOf(warning)).includes('山田 太郎'), 'the warning names the first lead');
    captureScreen(join(ARTIFACTS, 'capture-duplicate-ja.png'));
    await b.keys(['Control', 'Enter']);
    await waitFor(async () => (await textOf(await visible(b, 'capture-count-event'))).includes('3'), 'the count shows three cards');

    const events = sodate('--db', db, 'events', '--json');
    assert.equal(events.length, 1);
    assert.equal(events[0].capturedLeads, 2);
    assert.equal(events[0].capturedCards, 3);
    const leads = sodate('--db', db, 'leads', '--json');
    assert.equal(leads.total, 2);
    const yamada = leads.leads.find((l) => l.familyName === '山田');
    assert.equal(yamada.familyReading, 'ヤマダ');
    const timeline = sodate('--db', db, 'activity', 'list', '--lead', String(yamada.id), '--json');
    const visits = JSON.stringify(timeline).match(/"booth_visit"/g) ?? [];
    assert.equal(visits.length, 2, JSON.stringify(timeline));

    // A QR badge prefills the empty form; fields read are marked.
    await chooseFile(b, 'capture-qr-input', join(QR_FIXTURES, 'vcard-shift_jis.png'), 'image/png');
    const family = await visible(b, 'capture-familyName');
    await waitFor(async () => (await family.getValue()) === '髙橋', 'the QR code filled the family name');
    assert.equal(await (await visible(b, 'capture-email')).getValue(), 'k.takahashi@toho-techno.example.jp');
    assert.equal(await (await visible(b, 'capture-company')).getValue(), '㈱東邦テクノ');
    assert.equal(await (await visible(b, 'capture-familyReading')).getValue(), 'タカハシ');
    await visible(b, 'capture-prefilled-familyName');
    captureScreen(join(ARTIFACTS, 'capture-qr-ja.png'));

    // A photo without a QR code: said plainly, nothing changes.
    await chooseFile(b, 'capture-qr-input', join(QR_FIXTURES, 'photo-without-qr.jpg'), 'image/jpeg');
    const message = await visible(b, 'capture-message');
    await waitFor(async () => (await textOf(message)).includes('QRコードが見つかりません'), 'the missing QR code is reported');
    assert.equal(await family.getValue(), '髙橋');

    // The same screen in English (for the record), then back to Japanese.
    await language(b, 'en');
    await b.pause(500);
    captureScreen(join(ARTIFACTS, 'capture-qr-en.png'));
    await language(b, 'ja');
  }),
);
