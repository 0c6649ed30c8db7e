/** Event mode: the event the capture screen stays on until the user leaves it, and where a
 * photo dropped on the window goes while the capture screen is open. */

export const captureSession = $state<{ eventId: number | null }>({ eventId: null });

type PhotoDrop = (path: string) => void;

let photoDrop: PhotoDrop | null = null;

/** The capture form takes dropped files while it is shown; returns the release. */
export function takePhotoDrops(handler: PhotoDrop): () => void {
  photoDrop = handler;
  return () => {
    if (photoDrop === handler) photoDrop = null;
  };
}

/** Gives a dropped file to the capture form; false when no form takes it. */
export function dropPhoto(path: string): boolean {
  if (!photoDrop) return false;
  photoDrop(path);
  return true;
}

/** Whether a camera exists (the camera buttons are hidden otherwise). */
export async function hasCamera(): Promise<boolean> {
  try {
    const devices = await navigator.mediaDevices?.enumerateDevices?.();
    return !!devices?.some((d) => d.kind === 'videoinput');
  } catch {
    return false;
  }
}
