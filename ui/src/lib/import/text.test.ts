import { describe, expect, it } from 'vitest';
import { setLocale } from '../i18n/locale.svelte';
import { IpcError } from '../ipc';
import { appError } from '../../test/fixtures';
import { failuresFileName } from './failures';
import { importErrorText, issueText, undoNoteText } from './text';

describe('import texts', () => {
  it('explains file errors in the user’s language, with the row, keeping the original as detail', () => {
    setLocale('ja', false);
    const error = new IpcError(appError('invalid', 'invalid input', [{ field: 'file', code: 'empty_file', message: 'the file /tmp/a.csv is empty' }]));
    expect(importErrorText(error)).toEqual({ text: 'ファイルが空です（データがありません）。', detail: 'the file /tmp/a.csv is empty' });
    const quote = new IpcError(
      appError('invalid', 'invalid input', [{ field: 'file', code: 'unclosed_quote', message: 'row 12 (line 14), column 2: a quote opened here is never closed', row: 12 }]),
    );
    expect(importErrorText(quote).text).toBe('12行目：引用符（"）が閉じられていません。ファイルの該当箇所を確認してください。');
    setLocale('en', false);
    expect(importErrorText(quote).text).toBe('Row 12: A quote (") opened here is never closed. Check the file at this place.');
  });

  it('says a cancelled import changed nothing', () => {
    setLocale('ja', false);
    expect(importErrorText(new IpcError(appError('cancelled', 'cancelled'))).text).toBe('取り込みを中止しました。データは変更していません。');
  });

  it('translates row problems by code, falling back to the lead form’s words and then the message', () => {
    setLocale('ja', false);
    expect(issueText({ code: 'invalid_date', message: 'not a date: x' })).toBe('日付として読み取れません。');
    expect(issueText({ code: 'invalid_phone', message: 'bad' })).toContain('電話番号');
    expect(issueText({ code: 'mystery', message: 'something odd' })).toBe('something odd');
  });

  it('names the fields an undo kept', () => {
    setLocale('ja', false);
    const note = { leadId: 3, name: '田中 太郎', code: 'changed_since', message: 'kept the values changed since the import: title, email, 来場ブース' };
    expect(undoNoteText(note)).toBe('取り込み後に変更された値を残しました（役職、メール、来場ブース）');
    expect(undoNoteText({ ...note, code: 'deleted_since', message: 'not restored' })).toBe('取り込み後に削除されていたため、元に戻せませんでした。');
    setLocale('en', false);
    expect(undoNoteText(note)).toBe('Kept the values changed since the import (Title, Email, 来場ブース)');
  });

  it('suggests a name for the failed rows file', () => {
    setLocale('ja', false);
    expect(failuresFileName('名刺.csv')).toBe('名刺_エラー.csv');
    setLocale('en', false);
    expect(failuresFileName('cards.xlsx')).toBe('cards_errors.csv');
  });
});
