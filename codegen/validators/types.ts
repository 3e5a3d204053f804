import type { DefinePlugin, Plugin } from '@hey-api/openapi-ts';

export type UserConfig = Plugin.Hooks &
  Plugin.UserExports & {
    /** Plugin name; the generated module is `validators.gen.ts`. */
    name: 'validators';
    /**
     * Name of the exported list of every operation's validators.
     *
     * @default 'validators'
     */
    listName?: string;
    /**
     * Suffix appended to an operationId to name that operation's validators (`placeOrderValidators`).
     *
     * @default 'Validators'
     */
    nameSuffix?: string;
  };

export type Config = Plugin.Hooks &
  Plugin.Exports & {
    /** Plugin name; the generated module is `validators.gen.ts`. */
    name: 'validators';
    /** Name of the exported list of every operation's validators. */
    listName: string;
    /** Suffix appended to an operationId to name its validators. */
    nameSuffix: string;
  };

export type ValidatorsPlugin = DefinePlugin<UserConfig, Config>;
