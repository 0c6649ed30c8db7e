import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import type { LeadDetail, LeadInput } from '../../lib/ipc';
import { emptyLeadInput } from '../../lib/leads/leadInput';
import { setLocale } from '../../lib/i18n/locale.svelte';
import { appError, leadDetail, mockCommands } from '../../test/fixtures';
import LeadForm from './LeadForm.svelte';

function field(key: keyof LeadInput): HTMLInputElement {
  return screen.getByTestId(`field-${key}`) as HTMLInputElement;
}

async function type(key: keyof LeadInput, value: string) {
  await fireEvent.input(field(key), { target: { value } });
}

describe('LeadForm', () => {
  it('has every field, labelled, in Japanese business-card order', () => {
    render(LeadForm, { onsaved: vi.fn(), oncancel: vi.fn() });
    const order = [...document.querySelectorAll('[data-testid^="field-"]')].map((el) =>
      el.getAttribute('data-testid')?.slice('field-'.length),
    );
    expect(order).toEqual([
      'companyName', 'companyReading', 'department', 'title',
      'familyName', 'givenName', 'familyReading', 'givenReading',
      'email', 'phone', 'mobile', 'postalCode', 'prefecture', 'address',
      'website', 'source', 'tags', 'notes',
    ]);
    expect(screen.getByLabelText('会社名')).toBe(field('companyName'));
    expect(screen.getByLabelText('せい')).toBe(field('familyReading'));
    const prefectures = field('prefecture') as unknown as HTMLSelectElement;
    expect(prefectures.options).toHaveLength(48);
    expect(prefectures.options[13]?.textContent).toBe('東京都');
  });

  it('shows the server’s field errors at the right fields, translated by code', async () => {
    const ipc = mockCommands({
      lead_create: () => {
        throw appError('invalid', 'invalid input', [
          { field: 'email', code: 'invalid_email', message: 'the domain has no dot' },
          { field: 'phone', code: 'invalid_phone', message: 'too few digits' },
          { field: 'postalCode', code: 'unknown_postal_area', message: 'no such postal area' },
        ]);
      },
    });
    const onsaved = vi.fn();
    render(LeadForm, { onsaved, oncancel: vi.fn() });
    await type('familyName', '山田');
    await type('email', 'yamada@example.jp');
    await type('phone', '03-1234-5678');
    await type('postalCode', '999-9999');
    await fireEvent.click(screen.getByTestId('lead-save'));

    expect((await screen.findByTestId('error-email')).textContent).toBe('メールアドレスの形式が正しくありません。');
    expect(screen.getByTestId('error-phone').textContent).toContain('電話番号は10〜11桁');
    // A code the UI has no text for: the server's message is shown.
    expect(screen.getByTestId('error-postalCode').textContent).toBe('no such postal area');
    expect(screen.queryByTestId('error-familyName')).toBeNull();
    expect(field('email').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('form-error').textContent).toContain('入力内容を確認してください（3件）');
    expect(onsaved).not.toHaveBeenCalled();
    expect(ipc.argsOf('lead_create')).toHaveLength(1);
  });

  it('shows the server’s field errors in English when the UI is in English', async () => {
    setLocale('en', false);
    mockCommands({
      lead_create: () => {
        throw appError('invalid', 'invalid input', [{ field: 'email', code: 'invalid_email', message: 'bad' }]);
      },
    });
    render(LeadForm, { onsaved: vi.fn(), oncancel: vi.fn() });
    await type('email', 'a@example.jp');
    await fireEvent.click(screen.getByTestId('lead-save'));
    expect((await screen.findByTestId('error-email')).textContent).toBe('This is not a valid email address.');
  });

  it('validates email, phone and postal code as the user types and clears the error when fixed', async () => {
    render(LeadForm, { onsaved: vi.fn(), oncancel: vi.fn() });
    await type('email', 'yamada@example');
    expect(screen.queryByTestId('error-email')).toBeNull(); // not while still typing
    await waitFor(() => expect(screen.getByTestId('error-email').textContent).toBe('メールアドレスの形式が正しくありません。'));
    await type('email', 'yamada@example.jp');
    expect(screen.queryByTestId('error-email')).toBeNull(); // at once when fixed

    await type('phone', '03-12');
    await fireEvent.blur(field('phone'));
    expect(screen.getByTestId('error-phone').textContent).toContain('10〜11桁');

    await type('postalCode', '〒100-000');
    await fireEvent.blur(field('postalCode'));
    expect(screen.getByTestId('error-postalCode').textContent).toContain('7桁');
    await type('postalCode', '〒100-0005');
    expect(screen.queryByTestId('error-postalCode')).toBeNull();
  });

  it('requires a name, company or email and does not call the server without one', async () => {
    const ipc = mockCommands({ lead_create: () => leadDetail(1) });
    render(LeadForm, { onsaved: vi.fn(), oncancel: vi.fn() });
    await type('department', '営業部');
    await fireEvent.click(screen.getByTestId('lead-save'));
    expect(screen.getByTestId('error-familyName').textContent).toBe('姓・名・会社名・メールのいずれかを入力してください。');
    expect(ipc.argsOf('lead_create')).toHaveLength(0);
    await type('companyName', '株式会社サンプル');
    expect(screen.queryByTestId('error-familyName')).toBeNull();
  });

  it('saves the typed lead with its tags and hands back the saved detail', async () => {
    const saved = leadDetail(77, { familyName: '山田', givenName: '太郎' });
    const ipc = mockCommands({ lead_create: () => saved });
    const onsaved = vi.fn<(d: LeadDetail) => void>();
    render(LeadForm, { onsaved, oncancel: vi.fn() });
    await type('companyName', '株式会社サンプル商事');
    await type('familyName', '山田');
    await type('givenName', '太郎');
    await type('email', 'yamada@sample.example.jp');
    await fireEvent.change(field('prefecture'), { target: { value: '大阪府' } });
    await fireEvent.input(field('tags'), { target: { value: '展示会、決裁者,' } });
    expect(screen.getAllByTestId('tag-chip').map((c) => c.textContent?.trim())).toEqual(['展示会', '決裁者']);
    await fireEvent.input(field('tags'), { target: { value: '予算あり' } }); // still in the box on save
    await fireEvent.click(screen.getByTestId('lead-save'));

    await waitFor(() => expect(onsaved).toHaveBeenCalledWith(saved));
    expect(ipc.argsOf('lead_create')).toEqual([
      {
        input: {
          ...emptyLeadInput(),
          companyName: '株式会社サンプル商事',
          familyName: '山田',
          givenName: '太郎',
          email: 'yamada@sample.example.jp',
          prefecture: '大阪府',
          tags: ['展示会', '決裁者', '予算あり'],
        },
      },
    ]);
  });

  it('edits an existing lead with lead_update', async () => {
    const ipc = mockCommands({ lead_update: () => leadDetail(5) });
    const initial = { ...emptyLeadInput(), familyName: '佐藤', email: 'sato@example.jp', tags: ['既存'] };
    render(LeadForm, { leadId: 5, initial, onsaved: vi.fn(), oncancel: vi.fn() });
    expect(field('familyName').value).toBe('佐藤');
    expect(screen.getByText('リードを編集')).toBeTruthy();
    await type('title', '部長');
    await fireEvent.click(screen.getByTestId('lead-save'));
    await waitFor(() => expect(ipc.argsOf('lead_update')).toHaveLength(1));
    expect(ipc.argsOf('lead_update')[0]).toEqual({ id: 5, input: { ...initial, title: '部長' } });
  });

  it('explains other failures without losing what was typed', async () => {
    mockCommands({
      lead_create: () => {
        throw appError('db_locked', 'database is locked');
      },
    });
    render(LeadForm, { onsaved: vi.fn(), oncancel: vi.fn() });
    await type('familyName', '山田');
    await fireEvent.click(screen.getByTestId('lead-save'));
    expect((await screen.findByTestId('form-error')).textContent).toContain('保存できませんでした。');
    expect(screen.getByTestId('form-error').textContent).toContain('他のプログラムで使用中');
    expect(field('familyName').value).toBe('山田');
  });

  it('cancels with Esc and with the Cancel button', async () => {
    const oncancel = vi.fn();
    render(LeadForm, { onsaved: vi.fn(), oncancel });
    await fireEvent.keyDown(field('email'), { key: 'Escape' });
    expect(oncancel).toHaveBeenCalledTimes(1);
    await fireEvent.click(screen.getByTestId('lead-cancel'));
    expect(oncancel).toHaveBeenCalledTimes(2);
  });

  it('warns while typing when an existing lead looks like the same person, and not for the lead itself', async () => {
    const ipc = mockCommands({
      lead_similar: (args) => {
        const input = args.input as LeadInput;
        if (!input.email.toLowerCase().includes('takahashi')) return [];
        return [{
          id: 42, name: '髙橋 宏', companyName: '株式会社サンプル', email: 'h.takahashi@sample.co.jp', confidence: 85,
          reasons: [
            { code: 'same_email', points: 50, params: { email: 'h.takahashi@sample.co.jp' }, message: '' },
            { code: 'different_phone', points: -30, params: { a: '', b: '' }, message: '' },
          ],
        }];
      },
    });
    render(LeadForm, { leadId: 7, onsaved: vi.fn(), oncancel: vi.fn() });
    await type('familyName', '高橋');
    await type('email', 'H.Takahashi@sample.co.jp');
    const warning = await screen.findByTestId('similar-leads', {}, { timeout: 2000 });
    expect(warning.textContent).toContain('似ているリードが1件あります');
    expect(warning.textContent).toContain('髙橋 宏');
    expect(warning.textContent).toContain('株式会社サンプル');
    expect(warning.textContent).toContain('メールアドレスが一致（h.takahashi@sample.co.jp）');
    expect(warning.textContent).not.toContain('電話番号が異なる');
    expect(screen.getByTestId('similar-lead').querySelector('a')?.getAttribute('href')).toBe('#/leads/42');
    // Debounced: one check for the pause, with the lead being edited left out.
    const calls = ipc.argsOf('lead_similar');
    expect(calls.length).toBeLessThanOrEqual(2);
    expect(calls.at(-1)).toMatchObject({ editing: 7, input: { familyName: '高橋', email: 'H.Takahashi@sample.co.jp' } });

    await type('email', 'other@example.jp');
    await waitFor(() => expect(screen.queryByTestId('similar-leads')).toBeNull(), { timeout: 2000 });
  });
});
