import { afterEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import { setLocale } from '../../lib/i18n/locale.svelte';
import { toasts } from '../../lib/toasts.svelte';
import { appError, mockCommands, settle } from '../../test/fixtures';
import EncryptionSection from './EncryptionSection.svelte';

afterEach(() => setLocale('ja', false));

async function type(testid: string, value: string) {
  await fireEvent.input(screen.getByTestId(testid), { target: { value } });
}

function callsOf(ipc: ReturnType<typeof mockCommands>, cmd: string) {
  return ipc.calls.filter((c) => c.cmd === cmd).map((c) => c.args);
}

describe('encryption section', () => {
  it('encrypts a plain database after a long enough, confirmed passphrase, showing progress', async () => {
    let finish: () => void = () => {};
    const ipc = mockCommands({
      encryption_status: () => false,
      encryption_enable: () => new Promise((resolve) => (finish = () => resolve(null))),
    });
    render(EncryptionSection);
    expect((await screen.findByTestId('encryption-status')).textContent?.trim()).toBe('暗号化なし');
    await fireEvent.click(screen.getByTestId('encryption-enable'));
    expect(screen.getByTestId('encryption-warning').textContent).toContain('パスフレーズを忘れると、データは二度と読み出せません');

    await type('encryption-new', '短い');
    expect(screen.getByTestId('encryption-new-error').textContent).toBe('パスフレーズは8文字以上にしてください。');
    await fireEvent.click(screen.getByTestId('encryption-submit'));
    expect(callsOf(ipc, 'encryption_enable')).toEqual([]);

    await type('encryption-new', '桜の木の下で二〇二六');
    await type('encryption-confirm', '桜の木の下で二〇二七');
    expect(screen.getByTestId('encryption-confirm-error').textContent).toBe('確認用のパスフレーズが一致しません。');
    await fireEvent.click(screen.getByTestId('encryption-submit'));
    expect(callsOf(ipc, 'encryption_enable')).toEqual([]);

    await type('encryption-confirm', '桜の木の下で二〇二六');
    expect(screen.queryByTestId('encryption-confirm-error')).toBeNull();
    await fireEvent.click(screen.getByTestId('encryption-submit'));
    expect(callsOf(ipc, 'encryption_enable')).toEqual([{ passphrase: '桜の木の下で二〇二六' }]);

    await emit('encryption-progress', { stage: 'copying', done: 40, total: 100 });
    await settle();
    const progress = await screen.findByTestId('encryption-progress');
    expect(progress.textContent).toContain('暗号化したコピーを書き込んでいます… 40%');
    expect(progress.textContent).toContain('元のファイルは、検証済みのコピーと置き換わるまでそのまま残ります');
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('40');
    await emit('encryption-progress', { stage: 'verifying', done: 0, total: 1 });
    await waitFor(() => expect(screen.getByTestId('encryption-progress').textContent).toContain('コピーを検証しています'));

    finish();
    await waitFor(() => expect(screen.getByTestId('encryption-status').textContent?.trim()).toBe('暗号化済み'));
    expect(screen.queryByTestId('encryption-form')).toBeNull();
    expect(toasts.items.some((t) => t.text === 'データベースを暗号化しました')).toBe(true);
    expect(screen.getByTestId('encryption-change')).toBeTruthy();
  });

  it('asks for the current passphrase before changing it and says so when it is wrong', async () => {
    const ipc = mockCommands({
      encryption_status: () => true,
      encryption_change: (args) => {
        if (args.current !== 'いまのパスフレーズ') throw appError('wrong_passphrase', 'wrong');
        return null;
      },
    });
    render(EncryptionSection);
    await fireEvent.click(await screen.findByTestId('encryption-change'));
    await type('encryption-new', 'new passphrase 1');
    await type('encryption-confirm', 'new passphrase 1');
    await fireEvent.click(screen.getByTestId('encryption-submit'));
    expect(screen.getByTestId('encryption-current-error').textContent).toBe('パスフレーズを入力してください。');
    expect(callsOf(ipc, 'encryption_change')).toEqual([]);

    await type('encryption-current', 'ちがう');
    await fireEvent.click(screen.getByTestId('encryption-submit'));
    expect((await screen.findByTestId('encryption-current-error')).textContent).toContain('パスフレーズが違います');
    expect(screen.getByTestId('encryption-status').textContent?.trim()).toBe('暗号化済み');

    await type('encryption-current', 'いまのパスフレーズ');
    await fireEvent.click(screen.getByTestId('encryption-submit'));
    await waitFor(() => expect(screen.queryByTestId('encryption-form')).toBeNull());
    expect(callsOf(ipc, 'encryption_change').at(-1)).toEqual({ current: 'いまのパスフレーズ', passphrase: 'new passphrase 1' });
    expect(toasts.items.some((t) => t.text === 'パスフレーズを変更しました')).toBe(true);
  });

  it('removes encryption after a warning and the current passphrase', async () => {
    const ipc = mockCommands({ encryption_status: () => true, encryption_disable: () => null });
    render(EncryptionSection);
    await fireEvent.click(await screen.findByTestId('encryption-disable'));
    expect(screen.getByTestId('encryption-warning').textContent).toContain('誰でも読める状態になります');
    expect(screen.queryByTestId('encryption-new')).toBeNull();
    await type('encryption-current', 'いまのパスフレーズ');
    await fireEvent.click(screen.getByTestId('encryption-submit'));
    await waitFor(() => expect(screen.getByTestId('encryption-status').textContent?.trim()).toBe('暗号化なし'));
    expect(callsOf(ipc, 'encryption_disable')).toEqual([{ current: 'いまのパスフレーズ' }]);
  });

  it('shows a failed re-encryption and keeps the form', async () => {
    mockCommands({
      encryption_status: () => false,
      encryption_enable: () => {
        throw appError('db_locked', 'locked');
      },
    });
    render(EncryptionSection);
    await fireEvent.click(await screen.findByTestId('encryption-enable'));
    await type('encryption-new', 'long enough pass');
    await type('encryption-confirm', 'long enough pass');
    await fireEvent.click(screen.getByTestId('encryption-submit'));
    expect((await screen.findByTestId('encryption-failure')).textContent).toBe('データベースが他のプログラムで使用中です。');
    expect(screen.getByTestId('encryption-form')).toBeTruthy();
    expect(screen.getByTestId('encryption-status').textContent?.trim()).toBe('暗号化なし');
  });

  it('speaks English when asked', async () => {
    setLocale('en', false);
    mockCommands({ encryption_status: () => false });
    render(EncryptionSection);
    expect((await screen.findByTestId('encryption-status')).textContent?.trim()).toBe('Not encrypted');
    await fireEvent.click(screen.getByTestId('encryption-enable'));
    expect(screen.getByTestId('encryption-warning').textContent).toBe(
      'If you lose the passphrase, the data cannot be recovered, not even by Sodate. Keep it somewhere safe.',
    );
  });
});
