import { describe, expect, it } from 'vitest';
import { IpcError } from './ipc';
import { LoadedRecord } from './loadedRecord.svelte';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('LoadedRecord', () => {
  it('keeps only the answer to the latest request', async () => {
    const answers = new Map([1, 2].map((id) => [id, deferred<string>()]));
    const record = new LoadedRecord((id) => answers.get(id)!.promise);
    const first = record.load(1);
    const second = record.load(2);
    expect(record.loading).toBe(true);
    answers.get(2)!.resolve('two');
    await second;
    answers.get(1)!.resolve('one');
    await first;
    expect([record.value, record.loading]).toEqual(['two', false]);
  });

  it('reports not found, and a quiet reload keeps the error until it succeeds', async () => {
    let fail = true;
    const record = new LoadedRecord((id) =>
      fail ? Promise.reject(new IpcError({ code: 'not_found', message: 'gone', details: { path: null, fields: [] } })) : Promise.resolve(id),
    );
    await record.load(7);
    expect(record.notFound).toBe(true);
    fail = false;
    const reload = record.load(7, true);
    expect(record.notFound).toBe(true);
    await reload;
    expect([record.value, record.error]).toEqual([7, null]);
  });
});
