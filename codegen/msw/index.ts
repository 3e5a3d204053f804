export { defaultConfig, defineConfig } from './config.ts';
export type { MswPlugin } from './types.ts';
