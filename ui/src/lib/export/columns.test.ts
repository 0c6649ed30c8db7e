import { describe, expect, it } from 'vitest';
import { chosenFields, exportFileName, initialColumns, joinPath, moveColumn } from './columns';

const profile = [
  { field: 'email', header: 'Email Address', default: true },
  { field: 'given_name', header: 'First Name', default: true },
  { field: 'title', header: '役職', default: false },
];

describe('export columns', () => {
  it('starts from the profile defaults, in order', () => {
    expect(chosenFields(initialColumns(profile))).toEqual(['email', 'given_name']);
  });

  it('moves a column and keeps the others in place', () => {
    const moved = moveColumn(initialColumns(profile), 1, -1);
    expect(moved.map((c) => c.field)).toEqual(['given_name', 'email', 'title']);
    expect(moveColumn(moved, 0, -1)).toBe(moved);
    expect(moveColumn(moved, 2, 1)).toBe(moved);
  });

  it('names the file after what is exported, the profile and the day', () => {
    expect(exportFileName('展示会 2026/11', 'mailchimp', 'csv', new Date(2026, 10, 22))).toBe(
      '展示会_2026_11-mailchimp-20261122.csv',
    );
    expect(exportFileName('', 'generic', 'xlsx', new Date(2026, 0, 5))).toBe('leads-generic-20260105.xlsx');
  });

  it('joins a folder and a name with its separator', () => {
    expect(joinPath('/tmp/out', 'a.csv')).toBe('/tmp/out/a.csv');
    expect(joinPath('/tmp/out/', 'a.csv')).toBe('/tmp/out/a.csv');
    expect(joinPath('C:\\Users\\me', 'a.csv')).toBe('C:\\Users\\me\\a.csv');
  });
});
