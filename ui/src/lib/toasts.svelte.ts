/** Short confirmations ("保存しました") shown bottom-right and dismissed after a while. */

export type ToastTone = 'info' | 'success' | 'error';

export interface Toast {
  id: number;
  text: string;
  tone: ToastTone;
}

let nextId = 1;

export const toasts = $state<{ items: Toast[] }>({ items: [] });

export function dismissToast(id: number): void {
  toasts.items = toasts.items.filter((toast) => toast.id !== id);
}

export function showToast(text: string, tone: ToastTone = 'success', durationMs = 4000): number {
  const id = nextId++;
  toasts.items = [...toasts.items.slice(-2), { id, text, tone }];
  if (durationMs > 0) setTimeout(() => dismissToast(id), durationMs);
  return id;
}
