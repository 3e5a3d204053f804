import type { DefinePlugin, Plugin } from '@hey-api/openapi-ts';

export type UserConfig = Plugin.Hooks &
  Plugin.UserExports & {
    /** Plugin name; the generated module is `operations.gen.ts`. */
    name: 'operations';
    /**
     * The module that exports `operation(route)`, which makes an operation function from its route
     * (the SDK's `sdk/operations.ts`), as imported from the generated module.
     *
     * @default '../sdk/operations.ts'
     */
    runtime?: string;
  };

export type Config = Plugin.Hooks &
  Plugin.Exports & {
    /** Plugin name; the generated module is `operations.gen.ts`. */
    name: 'operations';
    /** The module that exports `operation(route)`, as imported from the generated module. */
    runtime: string;
  };

export type OperationsPlugin = DefinePlugin<UserConfig, Config>;
