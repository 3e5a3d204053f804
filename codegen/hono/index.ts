export { defaultConfig, defineConfig } from './config.ts';
export type { HonoPlugin } from './types.ts';
