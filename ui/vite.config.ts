/// <reference types="vitest/config" />
import { createReadStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { OCR_ASSET_DIR, OCR_ASSETS } from './src/lib/capture/ocrEngine.js';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const require = createRequire(import.meta.url);

/** The OCR engine's files (worker, WebAssembly cores, models) from node_modules, emitted
 * into the build under ocr/ and served by the dev server at the same paths: the app never
 * downloads them (see ocrEngine.js). */
function ocrAssets(): Plugin {
  const source = (from: string) => {
    const [scope, name, ...rest] = from.split('/');
    const pkg = scope?.startsWith('@') ? `${scope}/${name}` : (scope ?? '');
    const inPkg = scope?.startsWith('@') ? rest : [name ?? '', ...rest];
    return join(dirname(require.resolve(`${pkg}/package.json`)), ...inPkg);
  };
  return {
    name: 'sodate-ocr-assets',
    generateBundle() {
      for (const [from, to] of OCR_ASSETS) {
        this.emitFile({ type: 'asset', fileName: `${OCR_ASSET_DIR}/${to}`, source: readFileSync(source(from)) });
      }
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const asset = OCR_ASSETS.find(([, to]) => req.url === `/${OCR_ASSET_DIR}/${to}`);
        if (!asset) return next();
        res.setHeader('Content-Type', contentType(asset[1]));
        createReadStream(source(asset[0])).pipe(res);
      });
    },
  };
}

function contentType(name: string): string {
  return name.endsWith('.js') ? 'text/javascript' : 'application/octet-stream';
}

// The Tauri shell loads `ui/build` (tauri.conf.json: frontendDist ../ui/build) and, in
// development, the dev server at devUrl http://localhost:5173. Only index.html is built: `mock.html`
// (the development harness with mocked IPC) is served by `vite dev` and never shipped.
export default defineConfig({
  plugins: [svelte(), ocrAssets()],
  clearScreen: false,
  define: {
    __APP_VERSION__: JSON.stringify(pkg.version),
  },
  // Svelte 5 resolves to its server build under Node's default conditions; tests mount
  // components client-side, so they need the browser build.
  resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
  server: {
    port: 5173,
    strictPort: true,
  },
  build: {
    outDir: 'build',
    emptyOutDir: true,
    rollupOptions: {
      input: 'index.html',
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
  },
});
