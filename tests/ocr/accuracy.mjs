// OCR accuracy on the rendered business cards (tests/fixtures/cards-ocr): tesseract.js in
// Node with the app's own engine settings and image preparation (ui/src/lib/capture/
// ocrEngine.js), its lines split by the core parser through `sodate card-text --json`, each
// field compared with the card's expected JSON. Prints a per-field table and the OCR time
// per card; exits 1 when email or phone < 95 % exact, or company or name < 80 %.
//
//   node tests/ocr/accuracy.mjs [--bin path/to/sodate] [--json out.json] [filter]
//
// The binary defaults to $CARGO_TARGET_DIR/debug/sodate (else target/debug/sodate).
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  LATIN_PASS_PARAMETERS,
  OCR_ASSETS,
  cropPixels,
  OCR_LANGS,
  OCR_OEM,
  OCR_PARAMETERS,
  latinRectangle,
  linesForLatinPass,
  linesOfPage,
  prepareForOcr,
  withLatinText,
} from '../../ui/src/lib/capture/ocrEngine.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(join(root, 'ui/package.json'));
const { createWorker } = require('tesseract.js');
const { PNG } = require('pngjs');
const jpeg = require('jpeg-js');

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const [value] = args.splice(i, 2).slice(1);
  return value;
};
const bin =
  option('--bin') ?? join(process.env.CARGO_TARGET_DIR ?? join(root, 'target'), 'debug/sodate');
const jsonOut = option('--json');
const filter = args[0] ?? '';

const fixtures = join(root, 'tests/fixtures/cards-ocr');
const cards = readdirSync(fixtures)
  .filter((f) => /^\d\d-.*\.(png|jpg)$/.test(f) && f.includes(filter))
  .sort();
if (cards.length === 0) {
  console.error(`no card images in ${fixtures}${filter ? ` matching ${filter}` : ''}`);
  process.exit(2);
}

// The models in one folder, as the app has them (ui/build/ocr/lang).
const langDir = mkdtempSync(join(tmpdir(), 'sodate-ocr-lang-'));
for (const [from, to] of OCR_ASSETS) {
  if (to.startsWith('lang/')) copyFileSync(join(root, 'ui/node_modules', from), join(langDir, to.slice(5)));
}

function decode(file) {
  const bytes = readFileSync(file);
  return file.endsWith('.jpg') ? jpeg.decode(bytes, { useTArray: true }) : PNG.sync.read(bytes);
}

function encodePng({ data, width, height }) {
  const png = new PNG({ width, height });
  png.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return PNG.sync.write(png);
}

const squash = (s) => String(s ?? '').normalize('NFKC').replace(/\s+/g, '');
/** Fields compared, each with how a match is decided. */
const FIELDS = {
  email: (e, g) => e.email === g.email,
  phone: (e, g) => e.phone === g.phone && e.mobile === g.mobile && e.fax === g.fax,
  company: (e, g) => squash(e.company) === squash(g.company),
  name: (e, g) => squash(e.familyName + e.givenName) === squash(g.familyName + g.givenName),
  nameSplit: (e, g) => squash(e.familyName) === squash(g.familyName) && squash(e.givenName) === squash(g.givenName),
  reading: (e, g) =>
    squash(e.familyReading) === squash(g.familyReading) && squash(e.givenReading) === squash(g.givenReading),
  department: (e, g) => squash(e.department) === squash(g.department),
  title: (e, g) => squash(e.title) === squash(g.title),
  postalCode: (e, g) => e.postalCode === g.postalCode,
  address: (e, g) => squash(e.address) === squash(g.address),
  url: (e, g) => e.url === g.url,
};
const TARGETS = { email: 0.95, phone: 0.95, company: 0.8, name: 0.8 };

const started = performance.now();
const worker = await createWorker(OCR_LANGS, OCR_OEM, {
  langPath: langDir,
  gzip: true,
  cacheMethod: 'none',
});
await worker.setParameters(OCR_PARAMETERS);
const latinWorker = await createWorker(['eng'], OCR_OEM, { langPath: langDir, gzip: true, cacheMethod: 'none' });
await latinWorker.setParameters(LATIN_PASS_PARAMETERS);
const loadMs = performance.now() - started;

const results = [];
for (const card of cards) {
  const expected = JSON.parse(readFileSync(join(fixtures, card.replace(/\.(png|jpg)$/, '.json')), 'utf8'));
  const t0 = performance.now();
  const prepared = prepareForOcr(decode(join(fixtures, card)));
  const png = encodePng(prepared);
  const { data } = await worker.recognize(png, {}, { blocks: true, text: false });
  const lines = linesOfPage(data);
  for (const i of linesForLatinPass(lines)) {
    const rectangle = latinRectangle(lines[i], prepared.width, prepared.height);
    const { data: latin } = await latinWorker.recognize(encodePng(cropPixels(prepared, rectangle)));
    lines[i] = withLatinText(lines[i], latin.text);
  }
  const ocrMs = performance.now() - t0;
  const run = spawnSync(bin, ['card-text', '--json'], { input: JSON.stringify(lines), encoding: 'utf8' });
  if (run.error) {
    console.error(`cannot run ${bin}: ${run.error.message} (build it: cargo build -p sodate-cli)`);
    process.exit(2);
  }
  const got = run.status === 0 ? JSON.parse(run.stdout) : {};
  const verdict = Object.fromEntries(Object.entries(FIELDS).map(([k, same]) => [k, same(expected, got)]));
  results.push({ card, ocrMs, verdict, expected, got, lines: lines.map((l) => l.text), error: run.status === 0 ? '' : run.stderr.trim() });
  const misses = Object.entries(verdict).filter(([, ok]) => !ok).map(([k]) => k);
  console.log(`${card.padEnd(38)} ${(ocrMs / 1000).toFixed(2)} s  ${misses.length ? `missed: ${misses.join(', ')}` : 'all fields right'}`);
}
await worker.terminate();
await latinWorker.terminate();
rmSync(langDir, { recursive: true, force: true });

const rows = Object.keys(FIELDS).map((k) => {
  const right = results.filter((r) => r.verdict[k]).length;
  return { field: k, right, total: results.length, rate: right / results.length, target: TARGETS[k] };
});
const times = results.map((r) => r.ocrMs).sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)] ?? 0;
console.log(`\n| field | right | rate | target |\n|---|---|---|---|`);
for (const r of rows) {
  console.log(`| ${r.field} | ${r.right}/${r.total} | ${(r.rate * 100).toFixed(1)} % | ${r.target ? `≥ ${r.target * 100} %` : '–'} |`);
}
console.log(
  `\nOCR per card (prepare + recognise, ${results.length} cards): median ${(median / 1000).toFixed(2)} s, ` +
    `max ${((times.at(-1) ?? 0) / 1000).toFixed(2)} s; engine and models loaded in ${(loadMs / 1000).toFixed(2)} s`,
);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ rows, median, loadMs, results }, null, 2));
const failed = rows.filter((r) => r.target && r.rate < r.target);
if (failed.length) {
  console.log(`below target: ${failed.map((r) => r.field).join(', ')}`);
  process.exit(1);
}
console.log('accuracy targets met');
