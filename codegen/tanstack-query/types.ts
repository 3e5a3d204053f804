import type { DefinePlugin, Plugin } from '@hey-api/openapi-ts';

export type UserConfig = Plugin.Hooks &
  Plugin.UserExports & {
    /** Plugin name; the generated module is `tanstack-query.gen.ts`. */
    name: 'tanstack-query';
    /**
     * The module that exports `queryKeyOf`, `queryOptionsOf`, `infiniteQueryOptionsOf` and `mutationOf`
     * (the SDK's `sdk/tanstack-query.ts`), as imported from the generated module.
     *
     * @default '../sdk/tanstack-query.ts'
     */
    runtime?: string;
    /**
     * Suffix of an operation's query key function, as hey-api's TanStack Query plugins name it (`getOrderQueryKey`).
     *
     * @default 'QueryKey'
     */
    queryKeySuffix?: string;
    /**
     * Suffix of an operation's query options function (`getOrderOptions`).
     *
     * @default 'Options'
     */
    queryOptionsSuffix?: string;
    /**
     * Suffix of a cursor-paginated operation's infinite query options function (`listOrdersInfiniteOptions`).
     *
     * @default 'InfiniteOptions'
     */
    infiniteQueryOptionsSuffix?: string;
    /**
     * Suffix of an operation's mutation options function (`placeOrderMutation`).
     *
     * @default 'Mutation'
     */
    mutationSuffix?: string;
    /**
     * The query parameter that makes a `GET` a cursor-paginated list, which then gets infinite query options.
     *
     * @default 'cursor'
     */
    cursorParameter?: string;
  };

export type Config = Plugin.Hooks &
  Plugin.Exports & {
    /** Plugin name; the generated module is `tanstack-query.gen.ts`. */
    name: 'tanstack-query';
    /** The module that exports the helper factories, as imported from the generated module. */
    runtime: string;
    /** Suffix of an operation's query key function. */
    queryKeySuffix: string;
    /** Suffix of an operation's query options function. */
    queryOptionsSuffix: string;
    /** Suffix of a cursor-paginated operation's infinite query options function. */
    infiniteQueryOptionsSuffix: string;
    /** Suffix of an operation's mutation options function. */
    mutationSuffix: string;
    /** The query parameter that makes a `GET` a cursor-paginated list. */
    cursorParameter: string;
  };

export type TanStackQueryPlugin = DefinePlugin<UserConfig, Config>;
