// Encryption at rest in the real app: Settings → Encryption encrypts the database (the
// warning that a lost passphrase cannot be recovered is shown); after a restart the app
// asks for the passphrase, refuses a wrong one plainly, and with the right one shows the
// data. The CLI cannot read the file without the passphrase either. Screenshots of the
// section and the unlock screen (Japanese and English) are kept in artifacts/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ARTIFACTS, captureScreen, openApp, scratchDir, sodate, textOf, typeInto, visible, waitFor, withApp } from './harness.mjs';

const PASSPHRASE = '桜の木の下で 2026';

function statsWith(db, passphrase) {
  const env = { ...process.env };
  delete env.SODATE_PASSPHRASE;
  if (passphrase) env.SODATE_PASSPHRASE = passphrase;
  return JSON.parse(execFileSync(process.env.SODATE_CLI, ['--db', db, 'stats', '--json'], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] }));
}

test('encrypt from Settings, restart, refuse a wrong passphrase, unlock with the right one', withApp('encryption', async (s) => {
  const db = join(scratchDir('encryption'), 'sodate.db');
  sodate('--db', db, 'demo', '--leads', '300');
  const before = statsWith(db, null);

  s.browser = await openApp(db);
  const b = s.browser;
  await visible(b, 'lead-row');
  await (await visible(b, 'nav-settings')).click();
  await (await visible(b, 'lang-switch')).selectByAttribute('value', 'ja');
  const section = await visible(b, 'encryption-section');
  await waitFor(async () => (await section.getAttribute('data-encrypted')) === 'false', 'the section says not encrypted');
  assert.equal((await textOf(await visible(b, 'encryption-status'))).trim(), '暗号化なし');

  await (await visible(b, 'encryption-enable')).click();
  const warning = await textOf(await visible(b, 'encryption-warning'));
  assert.ok(warning.includes('パスフレーズを忘れると、データは二度と読み出せません'), warning);
  await typeInto(b, 'encryption-new', PASSPHRASE);
  await typeInto(b, 'encryption-confirm', `${PASSPHRASE}x`);
  assert.equal(await textOf(await visible(b, 'encryption-confirm-error')), '確認用のパスフレーズが一致しません。');
  await typeInto(b, 'encryption-confirm', PASSPHRASE);
  await (await visible(b, 'encryption-section')).scrollIntoView();
  captureScreen(join(ARTIFACTS, 'encryption-settings.png'));
  await (await visible(b, 'encryption-submit')).click();
  await waitFor(async () => (await section.getAttribute('data-encrypted')) === 'true', 'the section says encrypted', 60000);
  assert.equal((await textOf(await visible(b, 'encryption-status'))).trim(), '暗号化済み');
  captureScreen(join(ARTIFACTS, 'encryption-enabled.png'));

  // The file itself is now ciphertext: no plain header, and the CLI needs the passphrase.
  assert.notEqual(readFileSync(db).subarray(0, 15).toString('latin1'), 'SQLite format 3');
  assert.throws(() => statsWith(db, null), /encrypted/);
  assert.deepEqual(statsWith(db, PASSPHRASE), before);

  // Restart: the unlock screen, never an empty new database.
  await b.deleteSession();
  s.browser = await openApp(db);
  const c = s.browser;
  const unlock = await visible(c, 'unlock');
  assert.ok((await textOf(unlock)).includes('パスフレーズで暗号化されています'));
  assert.ok((await textOf(await visible(c, 'unlock-path'))).includes('sodate.db'));
  await typeInto(c, 'unlock-passphrase', 'まちがったパスフレーズ');
  await (await visible(c, 'unlock-submit')).click();
  const error = await visible(c, 'unlock-error');
  assert.equal(await textOf(error), 'パスフレーズが違います。もう一度入力してください（ファイルは変更していません）。');
  captureScreen(join(ARTIFACTS, 'encryption-unlock-ja.png'));
  await (await visible(c, 'unlock-lang')).click();
  await waitFor(async () => (await textOf(await visible(c, 'unlock'))).includes('Unlock the database'), 'English unlock screen');
  captureScreen(join(ARTIFACTS, 'encryption-unlock-en.png'));
  await (await visible(c, 'unlock-lang')).click();

  await typeInto(c, 'unlock-passphrase', PASSPHRASE);
  await (await visible(c, 'unlock-submit')).click();
  await visible(c, 'lead-row', 30000);
  assert.equal((await c.$$('[data-testid="unlock"]')).length, 0);
  await (await visible(c, 'nav-settings')).click();
  assert.equal((await textOf(await visible(c, 'encryption-status'))).trim(), '暗号化済み');
  assert.deepEqual(statsWith(db, PASSPHRASE), before, 'every lead is still there');
}));
