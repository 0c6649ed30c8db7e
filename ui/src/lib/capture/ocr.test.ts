import { beforeEach, describe, expect, it, vi } from 'vitest';
import { mockIPC } from '@tauri-apps/api/mocks';
import { appError } from '../../test/fixtures';
import type { CardFields, OcrLine } from '../ipc';

// The engine: a fake tesseract.js whose page is set per test. Everything else is real:
// the image preparation, the lines' shape, the IPC wrapper (mocked at the Tauri boundary).
const engine = vi.hoisted(() => ({
  page: { blocks: [] as unknown[] },
  latinText: 'E-mail: taro@example.co.jp',
  created: [] as string[][],
  recognized: 0,
}));
vi.mock('tesseract.js', () => ({
  createWorker: vi.fn(async (langs: string[], _oem: number, options: { logger?: (m: unknown) => void }) => {
    engine.created.push(langs);
    return {
      setParameters: vi.fn(async () => ({})),
      recognize: vi.fn(async () => {
        engine.recognized += 1;
        options.logger?.({ status: 'recognizing text', progress: 0.5 });
        return langs.includes('jpn') ? { data: engine.page } : { data: { text: engine.latinText } };
      }),
    };
  }),
}));
const photo = vi.hoisted(() => ({ fail: null as null | 'not_an_image' | 'empty_image' }));
vi.mock('./photoPixels', async (original) => {
  const real = await original<typeof import('./photoPixels')>();
  return {
    ...real,
    photoPixels: vi.fn(async () => {
      if (photo.fail) throw new real.PhotoDecodeError(photo.fail);
      return { data: new Uint8ClampedArray(40 * 20 * 4).fill(200), width: 40, height: 20 };
    }),
    pixelsToPng: vi.fn(async () => new Blob(['png'], { type: 'image/png' })),
  };
});

const { readCardPhoto, OcrError } = await import('./ocr');

const box = (x0: number, y0: number, x1: number, y1: number) => ({ x0, y0, x1, y1 });
function pageOf(lines: { text: string; y: number; h: number }[]) {
  return {
    blocks: [
      {
        paragraphs: [
          {
            lines: lines.map((l) => ({
              text: l.text,
              bbox: box(10, l.y, 400, l.y + l.h),
              confidence: 88,
              rowAttributes: { row_height: l.h + 4 },
              words: [{ text: l.text, bbox: box(10, l.y, 400, l.y + l.h) }],
            })),
          },
        ],
      },
    ],
  };
}

const fields = (over: Partial<CardFields>): CardFields => ({
  familyName: '', givenName: '', familyReading: '', givenReading: '', company: '', companyReading: '',
  department: '', title: '', email: '', phone: '', mobile: '', fax: '', postalCode: '', address: '',
  url: '', note: '', ...over,
});

beforeEach(() => {
  photo.fail = null;
  engine.recognized = 0;
});

describe('readCardPhoto', () => {
  it('sends the lines with their geometry to the core and returns its fields, with progress', async () => {
    engine.page = pageOf([
      { text: '山 田 太 郎', y: 40, h: 40 },
      { text: 'E-mail: taro⑦example.co.jp', y: 200, h: 12 },
    ]);
    const sent: OcrLine[][] = [];
    mockIPC((cmd, args) => {
      expect(cmd).toBe('card_text_parse');
      sent.push((args as { lines: OcrLine[] }).lines);
      return fields({ familyName: '山田', givenName: '太郎', email: 'taro@example.co.jp' });
    });
    const progress: [number, string][] = [];
    const result = await readCardPhoto(new Blob(['x']), (f, label) => progress.push([f, label]));

    expect(result.email).toBe('taro@example.co.jp');
    expect(result.familyName).toBe('山田');
    const lines = sent[0] ?? [];
    expect(lines[0]).toEqual({
      text: '山 田 太 郎',
      bbox: { left: 10, top: 40, width: 390, height: 40 },
      lineHeight: 44,
      confidence: 88,
      words: [{ text: '山 田 太 郎', bbox: { left: 10, top: 40, width: 390, height: 40 } }],
    });
    // The e-mail line was read again by the English model; its words are dropped.
    expect(lines[1]?.text).toBe('E-mail: taro@example.co.jp');
    expect(lines[1]?.words).toEqual([]);
    const fractions = progress.map(([f]) => f);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1)).toBe(1);
    expect(progress.map(([, l]) => l)).toContain('文字を読み取っています');
  });

  it('keeps one engine for the next cards', async () => {
    engine.page = pageOf([{ text: 'TEL 03-1234-5678', y: 10, h: 12 }]);
    mockIPC(() => fields({ phone: '03-1234-5678' }));
    const before = engine.created.length;
    await readCardPhoto(new Blob(['a']));
    await readCardPhoto(new Blob(['b']));
    expect(engine.created.length - before).toBe(0);
    expect(engine.created).toEqual([['jpn', 'eng'], ['eng']]);
  });

  it('says plainly when the file is not an image or is empty, without calling the core', async () => {
    const calls: string[] = [];
    mockIPC((cmd) => calls.push(cmd));
    photo.fail = 'not_an_image';
    const notImage = await readCardPhoto(new Blob(['text'])).catch((e: unknown) => e);
    expect(notImage).toBeInstanceOf(OcrError);
    expect((notImage as InstanceType<typeof OcrError>).code).toBe('not_an_image');
    expect((notImage as Error).message).toContain('画像ではありません');
    photo.fail = 'empty_image';
    const empty = await readCardPhoto(new Blob([])).catch((e: unknown) => e);
    expect((empty as InstanceType<typeof OcrError>).code).toBe('empty_image');
    expect(calls).toEqual([]);
    expect(engine.recognized).toBe(0);
  });

  it('says so when OCR finds no text, and when the core finds no field', async () => {
    engine.page = pageOf([]);
    const calls: string[] = [];
    mockIPC((cmd) => calls.push(cmd));
    const none = await readCardPhoto(new Blob(['x'])).catch((e: unknown) => e);
    expect((none as InstanceType<typeof OcrError>).code).toBe('no_text');
    expect(calls).toEqual([]);

    engine.page = pageOf([{ text: '~~ ;; ^^', y: 10, h: 12 }]);
    mockIPC(() => {
      throw appError('invalid', 'no fields', [
        { field: 'text', code: 'no_card_fields', message: 'nothing looks like a field' },
      ]);
    });
    const nothing = await readCardPhoto(new Blob(['x'])).catch((e: unknown) => e);
    expect((nothing as InstanceType<typeof OcrError>).code).toBe('no_card_fields');
    expect((nothing as Error).message).toContain('見つかりませんでした');
  });
});

describe('warmUpOcr', () => {
  it('does not start a second engine; the next card uses the one running', async () => {
    const { warmUpOcr } = await import('./ocr');
    const before = engine.created.length;
    warmUpOcr();
    engine.page = pageOf([{ text: 'TEL 03-1234-5678', y: 10, h: 12 }]);
    mockIPC(() => fields({ phone: '03-1234-5678' }));
    expect((await readCardPhoto(new Blob(['x']))).phone).toBe('03-1234-5678');
    expect(engine.created.length).toBe(before);
  });
});
