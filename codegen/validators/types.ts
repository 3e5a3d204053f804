import type { DefinePlugin, Plugin } from '@hey-api/openapi-ts';

export type UserConfig = Plugin.Hooks &
  Plugin.UserExports & {
    /** Plugin name; the generated module is `validators.gen.ts`. */
    name: 'validators';
    /**
     * Name of the exported table of request and response validators, keyed by
     * `'<METHOD> <path template>'` (e.g. `'POST /orders/{orderId}/payments'`), which is what a client
     * sees of an operation when it sends it.
     *
     * @default 'validators'
     */
    tableName?: string;
  };

export type Config = Plugin.Hooks &
  Plugin.Exports & {
    /** Plugin name; the generated module is `validators.gen.ts`. */
    name: 'validators';
    /** Name of the exported table of validators. */
    tableName: string;
  };

export type ValidatorsPlugin = DefinePlugin<UserConfig, Config>;
