/// <reference types="vitest/config" />
// Builds the console into internal/console/dist, which the Go binary embeds
// and serves at /console/ (SPEC §19). The output must be reproducible: two
// builds of the same tree give byte-identical files.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Vendor code goes to its own chunks, so a change to the app rewrites only the
// small app chunk and browsers keep the (immutable, hashed) rest cached.
const vendorChunks: [RegExp, string][] = [
  [/\/node_modules\/(react|react-dom|scheduler)\//, 'react'],
  [/\/node_modules\/(wouter|regexparam|use-sync-external-store)\//, 'wouter'],
  [/\/node_modules\/openapi-fetch\//, 'openapi-fetch'],
  // rjsf and what it alone uses (the editor page loads them).
  [/\/node_modules\/(@rjsf|@x0k|fast-equals|fast-uri|jsonpointer|markdown-to-jsx|react-is)\//, 'rjsf'],
  // The editor's JSON Schema interpreter (Ajv compiles with new Function,
  // which the CSP forbids; see src/editor/validator.ts).
  [/\/node_modules\/@cfworker\/json-schema\//, 'json-schema'],
  [/\/node_modules\/uplot\//, 'uplot'],
  [/\/node_modules\/diff\//, 'diff'],
];

function manualChunks(id: string): string | undefined {
  const path = id.replaceAll('\\', '/');
  for (const [re, name] of vendorChunks) {
    if (re.test(path)) return name;
  }
  // Rollup's CommonJS interop helpers serve React (the only CommonJS
  // dependency); left alone they would land in the app chunk and make the
  // React chunk import it, so its hash would change with every app change.
  if (path.includes('commonjsHelpers')) return 'react';
  return undefined;
}

// The server `make run` starts; `npm run dev` proxies the API to it.
const apiServer = process.env.AGENTPLANE_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: '../../internal/console/dist',
    emptyOutDir: true,
    // Never inline assets as data: URLs: the console's CSP (default-src
    // 'self') would block them.
    assetsInlineLimit: 0,
    // Every browser the console supports has <link rel="modulepreload">.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    rollupOptions: {
      output: { manualChunks },
    },
  },
  server: {
    proxy: {
      '/core': apiServer,
      '/admin': apiServer,
      '/console/api': apiServer,
    },
  },
  test: {
    environment: 'happy-dom',
    environmentOptions: { happyDOM: { url: 'http://localhost:8080/console/' } },
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
    unstubGlobals: true,
    // The form tests draw the whole served schema; on a busy two-core CI
    // host that can pass vitest's 5 s default.
    testTimeout: 20_000,
  },
});
