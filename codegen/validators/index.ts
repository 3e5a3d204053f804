export { defaultConfig, defineConfig } from './config.ts';
export type { ValidatorsPlugin } from './types.ts';
