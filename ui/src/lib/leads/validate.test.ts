import { describe, expect, it } from 'vitest';
import { emptyLeadInput } from './leadInput';
import { checkEmail, checkPhone, checkPostalCode, checkWebsite, validateLead } from './validate';

describe('checkEmail', () => {
  it.each([
    'yamada@example.co.jp',
    'taro.yamada+seminar@sub.example.jp',
    '  sato@example.com  ',
    'ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｊｐ', // full-width, as typed with the IME on
    'info@会社.example.jp',
  ])('accepts %s', (email) => expect(checkEmail(email)).toBeNull());

  it('accepts empty (optional)', () => expect(checkEmail('')).toBeNull());

  it.each([
    'yamada',
    'yamada@',
    '@example.jp',
    'yamada@example',
    'yamada@@example.jp',
    'a@b@example.jp',
    'yamada@.example.jp',
    'yamada@example..jp',
    'yamada@example.jp.',
    'yama da@example.jp',
    '.yamada@example.jp',
    'yamada.@example.jp',
    'ya..mada@example.jp',
    'yamada@-example.jp',
    'yamada@example.123',
    '<script>alert(1)</script>@example.jp',
    'yamada@example.jp\nBcc: other@example.jp',
    'yamada@exa\u0000mple.jp',
    '"yamada"@example.jp',
  ])('rejects %j', (email) => expect(checkEmail(email)).toBe('invalid_email'));

  it('rejects absurdly long input as too long', () => {
    expect(checkEmail(`${'a'.repeat(300)}@example.jp`)).toBe('too_long');
  });
});

describe('checkPhone', () => {
  it.each([
    '03-1234-5678',
    '0312345678',
    '090-1234-5678',
    '(03) 1234-5678',
    '0120-123-456',
    '０３－１２３４－５６７８', // full-width digits and hyphen
    '03ー1234ー5678', // the long-vowel mark typed for a hyphen
    '+81 3-1234-5678',
    '+1 (415) 555-0100',
  ])('accepts %s', (phone) => expect(checkPhone(phone)).toBeNull());

  it.each([
    '1234',
    '03-1234',
    '03-1234-56789-0',
    '3-1234-5678',
    '03-1234-567a',
    '03+1234+5678',
    '+0 3 1234 5678',
    '+81',
    'tel:0312345678',
    '０３１２３４５',
    '<img src=x onerror=alert(1)>',
    '03-1234-5678; DROP TABLE leads',
  ])('rejects %j', (phone) => expect(checkPhone(phone)).toBe('invalid_phone'));

  it('rejects very long input as too long', () => expect(checkPhone('0'.repeat(40))).toBe('too_long'));
});

describe('checkPostalCode', () => {
  it.each(['100-0005', '1000005', '〒100-0005', '〒 100-0005', '１００－０００５', '100 0005'])('accepts %s', (code) =>
    expect(checkPostalCode(code)).toBeNull(),
  );

  it.each(['100-005', '10000050', '100-00a5', 'abc-defg', '〒', '1000-005', '100--0005', '\u202e1000005'])('rejects %j', (code) =>
    expect(checkPostalCode(code)).toBe('invalid_postal_code'),
  );
});

describe('checkWebsite', () => {
  it.each(['https://example.co.jp/', 'example.co.jp', 'http://www.example.jp/contact?x=1'])('accepts %s', (url) =>
    expect(checkWebsite(url)).toBeNull(),
  );

  it.each(['javascript:alert(1)', 'ftp://example.jp', 'not a url', 'localhost'])('rejects %j', (url) =>
    expect(checkWebsite(url)).toBe('invalid_url'),
  );
});

describe('validateLead', () => {
  it('requires one of family name, given name, company or email', () => {
    expect(validateLead(emptyLeadInput())).toEqual({ familyName: 'required' });
    expect(validateLead({ ...emptyLeadInput(), companyName: '株式会社サンプル' })).toEqual({});
    expect(validateLead({ ...emptyLeadInput(), email: 'a@example.jp' })).toEqual({});
    expect(validateLead({ ...emptyLeadInput(), givenName: '   ' })).toEqual({ familyName: 'required' });
  });

  it('reports every bad field at once', () => {
    const errors = validateLead({
      ...emptyLeadInput(),
      familyName: '山田',
      email: 'yamada@',
      phone: '03-12',
      mobile: '090-1234-5678',
      postalCode: '12-34',
      department: 'x'.repeat(201),
    });
    expect(errors).toEqual({
      email: 'invalid_email',
      phone: 'invalid_phone',
      postalCode: 'invalid_postal_code',
      department: 'too_long',
    });
  });
});
