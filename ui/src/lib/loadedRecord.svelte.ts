/**
 * One record loaded by id for a side panel. Only the answer to the latest request is kept:
 * when the user has moved on to another record, a slower answer for the previous one is
 * dropped instead of overwriting what is on screen.
 */

import { IpcError } from './ipc';

export class LoadedRecord<T> {
  value = $state<T | null>(null);
  error = $state<unknown>(null);
  loading = $state(false);
  #seq = 0;
  readonly #fetch: (id: number) => Promise<T>;

  constructor(fetch: (id: number) => Promise<T>) {
    this.#fetch = fetch;
  }

  /** The record does not exist (any more). */
  get notFound(): boolean {
    return this.error instanceof IpcError && this.error.code === 'not_found';
  }

  /** `quiet` keeps the current state on screen while reloading (e.g. after a change). */
  async load(id: number, quiet = false): Promise<void> {
    const seq = ++this.#seq;
    if (!quiet) {
      this.loading = true;
      this.error = null;
    }
    try {
      const loaded = await this.#fetch(id);
      if (seq === this.#seq) {
        this.value = loaded;
        this.error = null;
      }
    } catch (error) {
      if (seq === this.#seq) this.error = error;
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }
}
