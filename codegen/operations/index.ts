export { defaultConfig, defineConfig } from './config.ts';
export { operationSymbol } from './plugin.ts';
export type { OperationsPlugin } from './types.ts';
