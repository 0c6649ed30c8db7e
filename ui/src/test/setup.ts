import { afterEach, beforeEach } from 'vitest';
import { cleanup } from '@testing-library/svelte';
import { clearMocks } from '@tauri-apps/api/mocks';
import { setLocale } from '../lib/i18n/locale.svelte';
import { navigate } from '../lib/router.svelte';
import { toasts } from '../lib/toasts.svelte';
import { startup } from '../lib/appStatus.svelte';
import { searchFocus } from '../lib/shortcuts.svelte';
import { resetImportWizard } from '../lib/import/wizard.svelte';

beforeEach(() => {
  localStorage.clear();
  // Tests read what a Japanese user sees unless they switch.
  setLocale('ja', false);
  navigate('/leads');
  toasts.items = [];
  // Module state lives as long as the app; each test starts the app afresh.
  startup.state = { phase: 'loading' };
  searchFocus.pending = false;
  resetImportWizard();
});

afterEach(() => {
  cleanup();
  clearMocks();
});
