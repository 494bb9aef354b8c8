import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// Built files only: no CDN, no inline script (the gateway's Content-Security-Policy forbids it).
export default defineConfig({
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      output: {
        manualChunks: { echarts: ['echarts'], 'element-plus': ['element-plus'] },
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
