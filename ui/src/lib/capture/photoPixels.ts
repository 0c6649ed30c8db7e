/**
 * A card photo (a Blob from a file, a drop or the camera) to its pixels and back, in the
 * webview: the browser decodes it (EXIF orientation applied) and a canvas holds the result.
 */

export type Pixels = { data: Uint8ClampedArray; width: number; height: number };

export class PhotoDecodeError extends Error {
  constructor(readonly reason: 'not_an_image' | 'empty_image' | 'image_too_large') {
    super(reason);
    this.name = 'PhotoDecodeError';
  }
}

/** The photo's RGBA pixels; refuses empty files, files that are no image, and images of more
 * than `maxPixels` pixels before drawing them. */
export async function photoPixels(photo: Blob, maxPixels: number): Promise<Pixels> {
  if (photo.size === 0) throw new PhotoDecodeError('empty_image');
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(photo);
  } catch {
    throw new PhotoDecodeError('not_an_image');
  }
  try {
    const { width, height } = bitmap;
    if (width === 0 || height === 0) throw new PhotoDecodeError('empty_image');
    if (width * height > maxPixels) throw new PhotoDecodeError('image_too_large');
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new PhotoDecodeError('not_an_image');
    context.drawImage(bitmap, 0, 0);
    const { data } = context.getImageData(0, 0, width, height);
    return { data, width, height };
  } finally {
    bitmap.close();
  }
}

/** Pixels as a PNG Blob (what the OCR worker is given). */
export async function pixelsToPng(pixels: Pixels): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = pixels.width;
  canvas.height = pixels.height;
  const context = canvas.getContext('2d');
  if (!context) throw new PhotoDecodeError('not_an_image');
  const image = context.createImageData(pixels.width, pixels.height);
  image.data.set(pixels.data);
  context.putImageData(image, 0, 0);
  return await new Promise<Blob>((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new PhotoDecodeError('not_an_image'))), 'image/png'),
  );
}
