// Shared pieces of the end-to-end tests: start the real app on a database of the test's
// own, run the real CLI, find elements by data-testid, keep screenshots of failures.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { remote } from 'webdriverio';

const APP = process.env.SODATE_APP;
const CLI = process.env.SODATE_CLI;
const TMP = process.env.SODATE_E2E_TMP ?? '/tmp';
export const ARTIFACTS = new URL('./artifacts/', import.meta.url).pathname;

/** A fresh folder for one test's database. */
export function scratchDir(name) {
  return mkdtempSync(join(TMP, `${name}-`));
}

/** Runs the `sodate` CLI and returns its stdout (parsed when --json is given). */
export function sodate(...args) {
  const out = execFileSync(CLI, args, { encoding: 'utf8' });
  return args.includes('--json') ? JSON.parse(out) : out;
}

/** Starts the desktop app on `dbPath` and returns the WebDriver session. */
export async function openApp(dbPath) {
  const browser = await remote({
    hostname: '127.0.0.1',
    port: Number(process.env.SODATE_E2E_PORT ?? 4444),
    logLevel: 'warn',
    connectionRetryCount: 0,
    capabilities: {
      'tauri:options': { application: APP, args: ['--db', dbPath] },
    },
  });
  await browser.setTimeout({ implicit: 0 });
  return browser;
}

export const byTestId = (browser, id) => browser.$(`[data-testid="${id}"]`);
export const allByTestId = (browser, id) => browser.$$(`[data-testid="${id}"]`);

/** Waits for an element and returns it. */
export async function visible(browser, id, timeout = 15000) {
  const el = await byTestId(browser, id);
  await el.waitForDisplayed({ timeout, timeoutMsg: `${id} did not appear within ${timeout} ms` });
  return el;
}

/** Replaces an input's text the way a user does: focus, select all, type. */
export async function typeInto(browser, id, text) {
  const el = await visible(browser, id);
  await el.click();
  await el.clearValue();
  await el.setValue(text);
  if ((await el.getValue()) !== text) {
    // WebKitWebDriver may drop non-ASCII keystrokes on some setups: fall back to the
    // input events a Japanese IME commit produces.
    await browser.execute(
      (elem, value) => {
        elem.value = value;
        elem.dispatchEvent(new Event('input', { bubbles: true }));
        elem.dispatchEvent(new Event('change', { bubbles: true }));
      },
      el,
      text,
    );
  }
  return el;
}

/**
 * Captures the whole virtual display into `file` (PNG) with ImageMagick's `import`.
 * WebKitWebDriver's own screenshot command can hang here (it times out after two minutes),
 * so the X display is read directly. Returns false when that is not possible.
 */
export function captureScreen(file) {
  if (!process.env.DISPLAY) return false;
  try {
    execFileSync('import', ['-window', 'root', file], { timeout: 15000, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Saves a screenshot of the app when the current test failed. */
export async function screenshotOnFailure(t, browser) {
  if (!browser) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  const name = t.name.replace(/[^\w぀-ヿ一-鿿-]+/g, '_');
  const file = join(ARTIFACTS, `${name}.png`);
  if (captureScreen(file)) return;
  try {
    await browser.saveScreenshot(file);
  } catch {
    // the session may already be gone
  }
}

/**
 * The text a user sees in an element (its innerText). WebKitWebDriver's own "element text"
 * comes back empty or partial for some styled elements, so the rendered text is read directly.
 */
export async function textOf(el) {
  return String(await el.getProperty('innerText'));
}

/** Texts of all rendered lead rows. */
export async function leadRowTexts(browser) {
  const rows = await allByTestId(browser, 'lead-row');
  const texts = [];
  for (const r of rows) texts.push(await textOf(r));
  return texts;
}

export async function waitFor(fn, message, timeout = 15000) {
  const started = Date.now();
  let last;
  while (Date.now() - started < timeout) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${message} (last: ${last})`);
}

/**
 * Waits for the page's `index`-th (0-based) performance measure called `name` (the UI's
 * in-page timings, ui/src/lib/timing.ts) and returns it as { ms, detail }.
 */
export async function nextMeasure(browser, name, index, timeout = 30000) {
  const read = () =>
    browser.execute(
      (n) => performance.getEntriesByName(n, 'measure').map((m) => ({ ms: m.duration, detail: m.detail ?? null })),
      name,
    );
  const all = await waitFor(async () => {
    const list = await read();
    return list.length > index && list;
  }, `measure ${name} #${index + 1}`, timeout);
  return all[index];
}

/** Runs, p50, p95 and max (nearest rank, ms rounded to 0.1) of measures from nextMeasure. */
export function percentiles(measures) {
  const ms = measures.map((m) => m.ms).sort((x, y) => x - y);
  const at = (q) => Math.round(ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)] * 10) / 10;
  return { runs: ms.length, p50: at(0.5), p95: at(0.95), max: at(1) };
}

/**
 * Wraps a test body that drives the app: the session is always closed, and a failure leaves
 * a screenshot in artifacts/ named after the test.
 */
export function withApp(name, body) {
  return async () => {
    const session = { browser: null };
    try {
      await body(session);
    } catch (e) {
      await screenshotOnFailure({ name }, session.browser);
      throw e;
    } finally {
      if (session.browser) await session.browser.deleteSession().catch(() => {});
    }
  };
}
