import { afterEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { navigate } from '../../lib/router.svelte';
import { localeState } from '../../lib/i18n/locale.svelte';
import { captureSession } from '../../lib/capture/session.svelte';
import { appError, mockCommands, READY } from '../../test/fixtures';
import App from './App.svelte';

const EVENT = {
  id: 4,
  name: '営業DX EXPO 2026 秋',
  kind: 'trade_show',
  startsOn: '2026-11-20',
  endsOn: '2026-11-22',
  place: '東京ビッグサイト',
  capturedLeads: 2,
  capturedCards: 3,
  capturedToday: 1,
};

function backend(options: { similar?: unknown[]; qrError?: unknown; drafts?: unknown[] } = {}) {
  let today = 1;
  return mockCommands({
    app_status: READY(2),
    capture_events: () => [EVENT],
    capture_drafts: () => options.drafts ?? [],
    capture_counts: () => ({ eventToday: today, allToday: today + 2, eventTotal: today + 5 }),
    capture_products: () => ['クラウド会計'],
    capture_draft_save: () => null,
    capture_draft_discard: () => null,
    lead_similar: () => options.similar ?? [],
    capture_qr_read: () => {
      if (options.qrError) throw options.qrError;
      return {
        kind: 'vcard',
        encoding: 'shift_jis',
        payload: 'BEGIN:VCARD',
        fields: { familyName: '髙橋', givenName: '健一', familyReading: 'ﾀｶﾊｼ', company: '㈱東邦テクノ', email: 'k@toho.example.jp', note: '' },
      };
    },
    capture_save: (args) => {
      today += 1;
      const input = (args as { input: { existingLeadId: number } }).input;
      return {
        leadId: input.existingLeadId || 10,
        createdLead: input.existingLeadId === 0,
        incomplete: false,
        toComplete: [],
        counts: { eventToday: today, allToday: today + 2, eventTotal: today + 5 },
      };
    },
  });
}

async function openCapture() {
  localeState.current = 'ja';
  captureSession.eventId = null;
  navigate('/capture');
  render(App);
  await fireEvent.click(await screen.findByTestId('capture-event'));
  return (await screen.findByTestId('capture-company')) as HTMLInputElement;
}

async function type(id: string, value: string) {
  await fireEvent.input(screen.getByTestId(id), { target: { value } });
}

afterEach(() => {
  captureSession.eventId = null;
});

describe('card capture', () => {
  it('lists the events with their counts and stays on the chosen one with today’s count', async () => {
    backend();
    localeState.current = 'ja';
    navigate('/capture');
    render(App);
    const event = await screen.findByTestId('capture-event');
    expect(event.textContent).toContain('営業DX EXPO 2026 秋');
    expect(event.textContent).toContain('2件のリード・本日1枚');
    await fireEvent.click(event);
    const first = await screen.findByTestId('capture-company');
    expect(document.activeElement).toBe(first);
    expect((await screen.findByTestId('capture-count-event')).textContent).toBe('本日この展示会 1枚');
  });

  it('saves on Enter, clears the card, puts the focus back on the first field and counts it', async () => {
    const api = backend();
    const first = await openCapture();
    await type('capture-company', '株式会社サンプル');
    await type('capture-familyName', '山田');
    await type('capture-familyReading', 'やまだ');
    await fireEvent.blur(screen.getByTestId('capture-familyReading'));
    expect((screen.getByTestId('capture-familyReading') as HTMLInputElement).value).toBe('ヤマダ');
    await type('capture-email', 'taro(at)example');
    expect(screen.getByTestId('capture-check-email').textContent).toContain('このままでも保存できます');
    await fireEvent.click(screen.getByTestId('capture-interest-hot'));
    await fireEvent.keyDown(screen.getByTestId('capture-email'), { key: 'Enter' });
    await waitFor(() => expect(api.argsOf('capture_save')).toHaveLength(1));
    const sent = api.argsOf('capture_save')[0]!.input as Record<string, unknown>;
    expect(sent.eventId).toBe(4);
    expect(sent.interest).toBe('hot');
    expect(sent.existingLeadId).toBe(0);
    expect((sent.card as Record<string, string>).familyReading).toBe('ヤマダ');
    expect((sent.card as Record<string, string>).email).toBe('taro(at)example');
    await waitFor(() => expect(first.value).toBe(''));
    expect(document.activeElement).toBe(first);
    await waitFor(() => expect(screen.getByTestId('capture-count-event').textContent).toBe('本日この展示会 2枚'));
  });

  it('adds a product chip with Enter instead of saving, and offers known products', async () => {
    const api = backend();
    await openCapture();
    expect(screen.getByTestId('capture-product-suggestion').textContent).toContain('クラウド会計');
    await type('capture-product-input', '勤怠管理');
    await fireEvent.keyDown(screen.getByTestId('capture-product-input'), { key: 'Enter' });
    expect(screen.getAllByTestId('capture-product-chip').map((c) => c.textContent?.trim())).toEqual(['勤怠管理 ×']);
    expect(api.argsOf('capture_save')).toHaveLength(0);
  });

  it('warns of a duplicate and adds the visit to the existing lead with Ctrl+Enter', async () => {
    const api = backend({
      similar: [{ id: 77, name: '山田 太郎', companyName: '株式会社サンプル', email: 'taro@sample.co.jp', confidence: 95, reasons: [] }],
    });
    await openCapture();
    await type('capture-email', 'taro@sample.co.jp');
    const warning = await screen.findByTestId('similar-leads');
    expect(warning.textContent).toContain('同じ人のリードがあります');
    expect(within(warning).getByTestId('capture-add-visit').textContent).toContain('Ctrl+Enter');
    await fireEvent.keyDown(screen.getByTestId('capture-email'), { key: 'Enter', ctrlKey: true });
    await waitFor(() => expect(api.argsOf('capture_save')).toHaveLength(1));
    expect((api.argsOf('capture_save')[0]!.input as { existingLeadId: number }).existingLeadId).toBe(77);
  });

  it('asks before Esc discards the card', async () => {
    const api = backend();
    const first = await openCapture();
    await type('capture-company', '株式会社サンプル');
    await fireEvent.keyDown(first, { key: 'Escape' });
    const dialog = await screen.findByTestId('confirm-dialog');
    expect(dialog.textContent).toContain('入力中の名刺を破棄しますか？');
    await fireEvent.click(within(dialog).getByTestId('confirm-ok'));
    await waitFor(() => expect(api.argsOf('capture_draft_discard')).toHaveLength(1));
    await waitFor(() => expect(first.value).toBe(''));
    expect(api.argsOf('capture_save')).toHaveLength(0);
  });

  it('prefills from a QR code without touching typed fields, marked until accepted', async () => {
    backend();
    await openCapture();
    await type('capture-email', 'mine@example.jp');
    const input = screen.getByTestId('capture-qr-input') as HTMLInputElement;
    const file = new File(['png'], 'badge.png', { type: 'image/png' });
    await fireEvent.change(input, { target: { files: [file] } });
    await waitFor(() => expect((screen.getByTestId('capture-familyName') as HTMLInputElement).value).toBe('髙橋'));
    expect((screen.getByTestId('capture-familyReading') as HTMLInputElement).value).toBe('タカハシ');
    expect((screen.getByTestId('capture-email') as HTMLInputElement).value).toBe('mine@example.jp');
    expect(screen.getByTestId('capture-prefilled-familyName').textContent).toBe('読み取り結果です。確認してください');
    expect(screen.getByTestId('capture-conflict').textContent).toContain('1 項目');
    expect(screen.getByTestId('capture-message').textContent).toBe('QRコード（vcard）から入力しました');
    await fireEvent.click(screen.getByTestId('capture-accept-reading'));
    expect(screen.queryByTestId('capture-prefilled-familyName')).toBeNull();
  });

  it('says plainly when a picture has no QR code and leaves the card as it was', async () => {
    backend({ qrError: appError('invalid', 'no QR code was found in the image', [{ field: 'qr', code: 'no_qr', message: 'no QR code' }]) });
    await openCapture();
    await type('capture-familyName', '山田');
    const input = screen.getByTestId('capture-qr-input') as HTMLInputElement;
    await fireEvent.change(input, { target: { files: [new File(['x'], 'photo.jpg')] } });
    await waitFor(() => expect(screen.getByTestId('capture-message').textContent).toBe('画像にQRコードが見つかりません'));
    expect((screen.getByTestId('capture-familyName') as HTMLInputElement).value).toBe('山田');
    expect((screen.getByTestId('capture-company') as HTMLInputElement).value).toBe('');
  });

  it('offers an unsaved card when the screen opens and continues it', async () => {
    backend({
      drafts: [
        {
          eventName: EVENT.name,
          updatedAt: '2026-11-22T03:00:00Z',
          form: { eventId: 4, card: { familyName: '途中' }, interest: 'cold', products: [], memo: 'メモ', existingLeadId: 0 },
          photos: [],
        },
      ],
    });
    localeState.current = 'ja';
    navigate('/capture');
    render(App);
    const offer = await screen.findByTestId('capture-draft');
    expect(offer.textContent).toContain('営業DX EXPO 2026 秋 に保存していない名刺があります');
    await fireEvent.click(within(offer).getByTestId('capture-draft-resume'));
    await waitFor(() => expect((screen.getByTestId('capture-familyName') as HTMLInputElement).value).toBe('途中'));
    expect((screen.getByTestId('capture-memo') as HTMLInputElement).value).toBe('メモ');
    expect((screen.getByTestId('capture-interest-cold') as HTMLInputElement).checked).toBe(true);
  });

  it('shows the OCR button disabled until a front photo is attached', async () => {
    backend();
    await openCapture();
    expect((screen.getByTestId('capture-ocr') as HTMLButtonElement).disabled).toBe(true);
  });
});
