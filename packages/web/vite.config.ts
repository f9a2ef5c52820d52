// Builds the operator app (src/app/) into dist/: `npm run build -w @waymark/web`, run by the root
// `prepare` script, so `npm ci` leaves a served app. The server serves dist/ (http/app.routes.ts):
// index.html at `/`, hashed files under `/assets/`. `npm run dev -w @waymark/web` serves the app
// with hot reload and forwards the API to a Waymark on :3000.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env.WAYMARK_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    reportCompressedSize: false,
    // elk (auto-layout, ~1.4 MB) is its own chunk, loaded only when the editor lays a draft out.
    chunkSizeWarningLimit: 1600,
  },
  server: {
    proxy: Object.fromEntries(['/api', '/v1', '/status'].map((path) => [path, api])),
  },
});
