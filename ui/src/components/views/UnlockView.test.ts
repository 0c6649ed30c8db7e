import { afterEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { setLocale } from '../../lib/i18n/locale.svelte';
import { appError, mockCommands, READY } from '../../test/fixtures';
import App from './App.svelte';

const PATH = '/home/user/.local/share/sodate/sodate.db';

/** app_status reports an encrypted database until database_unlock succeeded. */
function encryptedApp(correct: string) {
  let unlocked = false;
  return mockCommands({
    app_status: () =>
      unlocked
        ? READY(3)()
        : { dbPath: PATH, state: { status: 'failed', error: appError('db_encrypted', 'the database is encrypted', [], PATH) } },
    database_unlock: (args) => {
      if (args.passphrase !== correct) throw appError('wrong_passphrase', 'the passphrase is wrong', [], PATH);
      unlocked = true;
      return null;
    },
    lead_list: () => ({ total: 0, offset: 0, rows: [] }),
    stats: () => ({ leads: 3, companies: 1, activities: 0, events: 0 }),
  });
}

afterEach(() => setLocale('ja', false));

describe('unlock screen', () => {
  it('asks for the passphrase of an encrypted database instead of showing an error or an empty app', async () => {
    encryptedApp('正しいパスフレーズ');
    render(App);
    const view = await screen.findByTestId('unlock');
    expect(within(view).getByTestId('unlock-path').textContent).toBe(PATH);
    expect(view.textContent).toContain('パスフレーズで暗号化されています');
    expect(screen.queryByTestId('db-error')).toBeNull();
    expect(screen.queryByRole('navigation')).toBeNull();
    expect((screen.getByTestId('unlock-passphrase') as HTMLInputElement).type).toBe('password');
  });

  it('refuses a wrong passphrase plainly and stays locked', async () => {
    const ipc = encryptedApp('正しいパスフレーズ');
    render(App);
    const input = (await screen.findByTestId('unlock-passphrase')) as HTMLInputElement;
    await fireEvent.input(input, { target: { value: 'まちがい' } });
    await fireEvent.click(screen.getByTestId('unlock-submit'));
    const error = await screen.findByTestId('unlock-error');
    expect(error.textContent).toBe('パスフレーズが違います。もう一度入力してください（ファイルは変更していません）。');
    expect(input.value).toBe('');
    expect(screen.getByTestId('unlock')).toBeTruthy();
    expect(screen.queryByRole('navigation')).toBeNull();
    expect(ipc.calls.filter((c) => c.cmd === 'database_unlock').map((c) => c.args.passphrase)).toEqual(['まちがい']);
  });

  it('does not send an empty passphrase', async () => {
    const ipc = encryptedApp('x');
    render(App);
    await fireEvent.click(await screen.findByTestId('unlock-submit'));
    expect((await screen.findByTestId('unlock-error')).textContent).toBe('パスフレーズを入力してください。');
    expect(ipc.calls.some((c) => c.cmd === 'database_unlock')).toBe(false);
  });

  it('opens the app once the right passphrase is given', async () => {
    encryptedApp('正しいパスフレーズ');
    render(App);
    await fireEvent.input(await screen.findByTestId('unlock-passphrase'), { target: { value: '正しいパスフレーズ' } });
    await fireEvent.click(screen.getByTestId('unlock-submit'));
    await waitFor(() => expect(screen.queryByTestId('unlock')).toBeNull());
    expect(await screen.findByRole('navigation')).toBeTruthy();
  });

  it('speaks English when asked, the message shown included', async () => {
    encryptedApp('right one');
    render(App);
    await fireEvent.input(await screen.findByTestId('unlock-passphrase'), { target: { value: 'wrong one' } });
    await fireEvent.click(screen.getByTestId('unlock-submit'));
    expect((await screen.findByTestId('unlock-error')).textContent).toContain('パスフレーズが違います');
    await fireEvent.click(screen.getByTestId('unlock-lang'));
    expect((await screen.findByTestId('unlock-error')).textContent).toBe(
      'That passphrase is wrong. Try again (the file was not changed).',
    );
    expect(screen.getByRole('heading').textContent).toBe('Unlock the database');
  });
});
