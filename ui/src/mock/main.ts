/**
 * Development harness: the real UI over the in-memory backend (mock.html; never built).
 *   /mock.html?scenario=ready&leads=2000&lang=ja&latency=60
 *   scenario: ready | empty | db_newer | db_locked | db_corrupt | db_unreadable
 */
import { mount } from 'svelte';
import '../app.css';
import App from '../components/views/App.svelte';
import { setLocale } from '../lib/i18n/locale.svelte';
import { installMockBackend, type Scenario } from './backend';

const params = new URLSearchParams(location.search);
const lang = params.get('lang');
if (lang === 'ja' || lang === 'en') setLocale(lang, false);

installMockBackend({
  scenario: (params.get('scenario') as Scenario | null) ?? 'ready',
  leads: Number(params.get('leads') ?? 2000),
  latency: Number(params.get('latency') ?? 40),
});

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from mock.html');
mount(App, { target });
