import { mount } from 'svelte';
import './app.css';
import App from './components/views/App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');

export default mount(App, { target });
