import { describe, expect, it } from 'vitest';
import {
  OCR_TARGET_LONG_SIDE,
  cropPixels,
  latinRectangle,
  linesForLatinPass,
  prepareForOcr,
  withLatinText,
} from './ocrEngine.js';

const line = (text: string) => ({
  text,
  bbox: { left: 100, top: 50, width: 300, height: 20 },
  lineHeight: 22,
  confidence: 90,
  words: [],
});

describe('prepareForOcr', () => {
  it('scales to the target size, greys and stretches the contrast', () => {
    // 4×2: a dim grey left half, a light right half.
    const data = new Uint8ClampedArray(4 * 2 * 4);
    for (let i = 0; i < 8; i++) {
      const v = i % 4 < 2 ? 100 : 180;
      data.set([v, v, v, 255], i * 4);
    }
    const out = prepareForOcr({ data, width: 4, height: 2 });
    expect(out.width).toBe(OCR_TARGET_LONG_SIDE);
    expect(out.height).toBe(OCR_TARGET_LONG_SIDE / 2);
    expect(out.data[0]).toBe(0);
    expect(out.data[(out.width - 1) * 4]).toBe(255);
    expect(out.data[3]).toBe(255);
  });

  it('treats transparent pixels as paper', () => {
    const out = prepareForOcr({ data: new Uint8ClampedArray([0, 0, 0, 0, 0, 0, 0, 255]), width: 2, height: 1 });
    expect(out.data[0]).toBe(255);
    expect(out.data[(out.width - 1) * 4]).toBe(0);
  });
});

describe('the English pass', () => {
  it('takes e-mail and web lines, not Japanese or phone lines', () => {
    const lines = [
      line('株 式 会 社 サ ン プ ル'),
      line('E-mail: taro(のexample.co.jp'),
      line('TEL 03-1234-5678'),
      line('https:/www.example.co.jp'),
      line('〒100-0005 東 京 都 千 代 田 区'),
    ];
    expect(linesForLatinPass(lines)).toEqual([1, 3]);
  });

  it('keeps a Japanese label the English model cannot read', () => {
    expect(withLatinText(line('携帯 090-1234-5678'), '#5 090-1234-5678').text).toBe('携帯 090-1234-5678');
    expect(withLatinText(line('E-mail: a(のb.jp'), 'E-mail: a@b.jp').text).toBe('E-mail: a@b.jp');
    expect(withLatinText(line('E-mail: a(のb.jp'), '  ').text).toBe('E-mail: a(のb.jp');
  });

  it('crops the line with a margin, inside the image', () => {
    const rect = latinRectangle(line('x'), 380, 1000);
    expect(rect).toEqual({ left: 90, top: 40, width: 290, height: 40 });
    const image = { data: new Uint8ClampedArray(4 * 3 * 4).map((_, i) => i), width: 4, height: 3 };
    const crop = cropPixels(image, { left: 1, top: 1, width: 2, height: 1 });
    expect(Array.from(crop.data)).toEqual([20, 21, 22, 23, 24, 25, 26, 27]);
  });
});
