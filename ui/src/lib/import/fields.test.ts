import { describe, expect, it } from 'vitest';
import { importInspection, previewRow } from '../../test/fixtures';
import type { ColumnMapping } from '../ipc';
import { baseName, choiceOf, duplicateOf, fieldOfChoice, mappedFields, sampleOf, samplesOf } from './fields';

const column = (index: number, field: ColumnMapping['field'], header = `列${index + 1}`): ColumnMapping => ({
  index,
  header,
  field,
  confidence: 'exact',
  why: '',
});

describe('import fields', () => {
  it('turns fields into select choices and back (custom fields are named after the header)', () => {
    expect(choiceOf('email')).toBe('email');
    expect(choiceOf({ custom: 'TEL直通' })).toBe('custom');
    expect(choiceOf('ignore')).toBe('ignore');
    expect(fieldOfChoice('custom', '来場ブース')).toEqual({ custom: '来場ブース' });
    expect(fieldOfChoice('phone', 'TEL')).toBe('phone');
  });

  it('samples a column from the stored values of the preview rows', () => {
    const inspection = importInspection();
    expect(samplesOf(inspection.preview, inspection.mapping[0]!)).toEqual(['株式会社ミライ技研', '㈱ミライ技研', '(株)サクラ商事']);
    expect(samplesOf(inspection.preview, inspection.mapping[4]!)).toEqual(['03-1234-5601']);
    const row = previewRow(2, { familyName: '髙橋', givenName: '一郎', tags: ['展示会'] }, { custom: { FAX: '03-1111-2222', 名刺交換日: '2024-04-01' } });
    expect(sampleOf(row, column(0, 'full_name'))).toBe('髙橋 一郎');
    expect(sampleOf(row, column(0, 'fax'))).toBe('03-1111-2222');
    expect(sampleOf(row, column(0, 'card_exchanged_on'))).toBe('2024-04-01');
    expect(sampleOf(row, column(0, 'tags'))).toBe('展示会');
    expect(sampleOf(row, column(0, 'ignore'))).toBe('');
    // Multi-line cells read as one line, and the same value is listed once.
    const multi = [previewRow(2, { address: '大阪府大阪市北区\n梅田センタービル' }), previewRow(3, { address: '大阪府大阪市北区\n梅田センタービル' })];
    expect(samplesOf(multi, column(0, 'address'))).toEqual(['大阪府大阪市北区 梅田センタービル']);
  });

  it('offers "keep existing" for the standard fields the mapping fills, in card order', () => {
    const mapping = [column(0, 'email'), column(1, 'full_name'), column(2, 'company_name'), column(3, { custom: 'x' }), column(4, 'notes'), column(5, 'address2')];
    expect(mappedFields(mapping)).toEqual(['company_name', 'family_name', 'given_name', 'email', 'address']);
  });

  it('finds another column sending the same single-use field', () => {
    const mapping = [column(0, 'phone', 'TEL会社'), column(1, 'phone', 'TEL直通'), column(2, 'notes'), column(3, 'notes')];
    expect(duplicateOf(mapping, 0)?.header).toBe('TEL直通');
    expect(duplicateOf(mapping, 1)?.header).toBe('TEL会社');
    expect(duplicateOf(mapping, 2)).toBeNull();
  });

  it('takes the file name from either kind of path', () => {
    expect(baseName('/home/tanaka/名刺.csv')).toBe('名刺.csv');
    expect(baseName('C:\\Users\\tanaka\\Downloads\\eight.csv')).toBe('eight.csv');
  });
});
