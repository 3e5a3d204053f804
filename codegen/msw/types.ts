import type { DefinePlugin, Plugin } from '@hey-api/openapi-ts';

export type UserConfig = Plugin.Hooks &
  Plugin.UserExports & {
    /** Plugin name; the generated module is `msw.gen.ts`. */
    name: 'msw';
    /**
     * The module that exports `handlerOf` and `fixtureOf` (the SDK's `sdk/msw-handlers.ts`), as
     * imported from the generated module.
     *
     * @default '../sdk/msw-handlers.ts'
     */
    runtime?: string;
    /**
     * Suffix of an operation's handler factory (`placeOrderHandler`).
     *
     * @default 'Handler'
     */
    handlerSuffix?: string;
    /**
     * Name of the exported list of every operation's handler with its default answer.
     *
     * @default 'handlers'
     */
    handlersName?: string;
    /**
     * Suffix of a fixture factory, after the camel-cased schema name (`orderFixture`).
     *
     * @default 'Fixture'
     */
    fixtureSuffix?: string;
  };

export type Config = Plugin.Hooks &
  Plugin.Exports & {
    /** Plugin name; the generated module is `msw.gen.ts`. */
    name: 'msw';
    /** The module that exports `handlerOf` and `fixtureOf`, as imported from the generated module. */
    runtime: string;
    /** Suffix of an operation's handler factory. */
    handlerSuffix: string;
    /** Name of the exported list of every operation's handler. */
    handlersName: string;
    /** Suffix of a fixture factory. */
    fixtureSuffix: string;
  };

export type MswPlugin = DefinePlugin<UserConfig, Config>;
