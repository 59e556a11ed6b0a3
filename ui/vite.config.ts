/// <reference types="vitest/config" />
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";
import { defineConfig } from "vite";

// Tauri loads the dev server on a fixed port and the built files from ui/dist
// (see src-tauri/tauri.conf.json), so both must stay where it expects them.
export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  clearScreen: false, // keep the Rust compiler's output visible during `tauri dev`
  envPrefix: ["VITE_", "TAURI_"],
  server: { port: 1420, strictPort: true },
  build: { outDir: "dist", emptyOutDir: true },
  test: { environment: "happy-dom", include: ["src/**/*.test.ts"] },
});
