export { defaultConfig, defineConfig } from './config.ts';
export type { TanStackQueryPlugin } from './types.ts';
