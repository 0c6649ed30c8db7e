import { mount } from 'svelte';
import './app.css';
import App from './components/views/App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');

export default mount(App, { target });

declare global {
  interface Window {
    /** Reads a card photo with the bundled OCR (see lib/capture/ocr.ts), loaded on first use. */
    sodateReadCardPhoto?: (photo: Blob) => ReturnType<typeof import('./lib/capture/ocr').readCardPhoto>;
  }
}

// OCR is a separate chunk (tesseract.js and its glue), loaded only when a card is read. The
// capture screen imports it the same way; this entry point also lets the end-to-end test
// read a fixture card in the real webview (tests/e2e/ocr.test.mjs).
window.sodateReadCardPhoto = async (photo) => (await import('./lib/capture/ocr')).readCardPhoto(photo);
