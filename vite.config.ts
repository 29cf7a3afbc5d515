import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// Rolldown's "your build spent significant time in plugins" report ([PLUGIN_TIMINGS]): on a shared 2-core machine it
// fired on every `npm start` and says nothing actionable about the Svelte plugin. Off for the build and for the
// dev server's dependency pre-bundling (`npm run dev`), which runs Rolldown too.
const quietTimings = { checks: { bundlerTimings: false } };

export default defineConfig({
  root: 'renderer',
  base: '/',
  // The Svelte config sits at the repository root (svelte-check reads it there too).
  plugins: [svelte({ configFile: '../svelte.config.js' })],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2023',
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
    rolldownOptions: quietTimings,
  },
  optimizeDeps: { rolldownOptions: quietTimings },
  server: { strictPort: false },
});
