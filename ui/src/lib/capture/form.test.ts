import { describe, expect, it } from 'vitest';
import { CARD_FIELD_ORDER, checkCard, checkField, emptyCard, isBlank, memoWith, overwrite, prefill, toKatakana } from './form';

describe('capture form logic', () => {
  it('tabs through the fields in the order of a Japanese business card', () => {
    expect(CARD_FIELD_ORDER.slice(0, 8)).toEqual([
      'company',
      'companyReading',
      'department',
      'title',
      'familyName',
      'givenName',
      'familyReading',
      'givenReading',
    ]);
    expect(CARD_FIELD_ORDER.indexOf('email')).toBeGreaterThan(CARD_FIELD_ORDER.indexOf('givenReading'));
    expect(CARD_FIELD_ORDER.indexOf('address')).toBeGreaterThan(CARD_FIELD_ORDER.indexOf('mobile'));
  });

  it('stores readings in full-width katakana whatever the script typed', () => {
    expect(toKatakana('やまだ')).toBe('ヤマダ');
    expect(toKatakana('ﾔﾏﾀﾞ')).toBe('ヤマダ');
    expect(toKatakana('ヤマダ')).toBe('ヤマダ');
    expect(toKatakana('ゔぁー')).toBe('ヴァー');
    expect(toKatakana('yamada')).toBe('yamada');
  });

  it('flags values that look wrong without refusing anything', () => {
    expect(checkField('email', 'taro@example.co.jp')).toBeNull();
    expect(checkField('email', 'taro(at)example')).toBe('email');
    expect(checkField('phone', '03-1234-5678')).toBeNull();
    expect(checkField('phone', '０３−１２３４−５６７８')).toBeNull();
    expect(checkField('mobile', '+81 90 1234 5678')).toBeNull();
    expect(checkField('phone', '1234')).toBe('phone');
    expect(checkField('postalCode', '〒100-0005')).toBeNull();
    expect(checkField('postalCode', '100')).toBe('postalCode');
    expect(checkField('familyReading', 'やまだ')).toBeNull();
    expect(checkField('familyReading', '山田')).toBe('reading');
    expect(checkField('email', '')).toBeNull();
    expect(checkCard({ ...emptyCard(), email: 'x', phone: '03-1234-5678' })).toEqual({ email: 'email' });
  });

  it('fills only empty fields from a reading and asks before replacing typed ones', () => {
    const typed = { ...emptyCard(), familyName: '山田', email: 'mine@example.jp' };
    const read = { ...emptyCard(), familyName: '山田', givenName: '太郎', email: 'card@example.jp', familyReading: 'やまだ' };
    const result = prefill(typed, read, new Set());
    expect(result.card.givenName).toBe('太郎');
    expect(result.card.email).toBe('mine@example.jp');
    expect(result.card.familyReading).toBe('ヤマダ');
    expect(result.filled.sort()).toEqual(['familyReading', 'givenName']);
    expect(result.conflicts).toEqual(['email']);
    expect(overwrite(result.card, read, result.conflicts).email).toBe('card@example.jp');
    // A field still holding an unconfirmed earlier reading is replaced without asking.
    const again = prefill(result.card, { ...emptyCard(), givenName: '次郎' }, new Set(['givenName']));
    expect(again.card.givenName).toBe('次郎');
    expect(again.conflicts).toEqual([]);
  });

  it('adds what a card says beyond its fields to the memo once', () => {
    expect(memoWith('', '展示会にて')).toBe('展示会にて');
    expect(memoWith('デモ希望', '展示会にて')).toBe('デモ希望\n展示会にて');
    expect(memoWith('デモ希望\n展示会にて', '展示会にて')).toBe('デモ希望\n展示会にて');
    expect(isBlank(emptyCard())).toBe(true);
    expect(isBlank(emptyCard(), '', ['製品A'])).toBe(false);
  });
});
