import type { DefinePlugin, Plugin } from '@hey-api/openapi-ts';

export type UserConfig = Plugin.Hooks &
  Plugin.UserExports & {
    /** Plugin name; the generated module is `hono.gen.ts`. */
    name: 'hono';
    /**
     * Read path, query, header and cookie values, which arrive as strings, into the numbers,
     * booleans and arrays their schemas expect before validating them. A query parameter
     * given once or repeated both validate against an array schema.
     *
     * @default true
     */
    coerceParameters?: boolean;
    /**
     * Name of the exported type with one handler per operation.
     *
     * @default 'Handlers'
     */
    handlersTypeName?: string;
    /**
     * Name of the exported function that registers every handler on an `OpenAPIHono` app.
     *
     * @default 'registerHandlers'
     */
    registerFunctionName?: string;
    /**
     * Name of the exported object holding every route, keyed by operationId.
     *
     * @default 'routes'
     */
    routesName?: string;
    /**
     * Suffix appended to an operationId to name that operation's route constant.
     *
     * @default 'Route'
     */
    routeNameSuffix?: string;
  };

export type Config = Plugin.Hooks &
  Plugin.Exports & {
    /** Plugin name; the generated module is `hono.gen.ts`. */
    name: 'hono';
    /** Read parameter strings into the types their schemas expect. */
    coerceParameters: boolean;
    /** Name of the exported type with one handler per operation. */
    handlersTypeName: string;
    /** Name of the exported function that registers every handler. */
    registerFunctionName: string;
    /** Name of the exported object holding every route. */
    routesName: string;
    /** Suffix appended to an operationId to name its route constant. */
    routeNameSuffix: string;
  };

export type HonoPlugin = DefinePlugin<UserConfig, Config>;
