import { $ } from '@hey-api/openapi-ts';

import type { ValidatorsPlugin } from './types.ts';

/**
 * Emits one table with the zod plugin's own request and response validators of every operation
 * (the same functions `@hey-api/sdk` would inline, resolvers included), so a client can validate any
 * operation it sends without the operation functions carrying zod: apps that do not import the
 * table do not bundle a single schema.
 */
export const handler: ValidatorsPlugin['Handler'] = ({ plugin }) => {
  const zod = plugin.getPluginOrThrow('zod');
  const table = $.object().pretty();

  plugin.forEach(
    'operation',
    ({ operation }) => {
      const request = zod.api.createRequestValidator({ operation, plugin: zod });
      const response = zod.api.createResponseValidator({ operation, plugin: zod });
      if (!request && !response) return;
      const entry = $.object().pretty();
      if (request) entry.prop('request', request.arrow());
      if (response) entry.prop('response', response.arrow());
      table.prop(`${operation.method.toUpperCase()} ${operation.path}`, entry);
    },
    { order: 'declarations' },
  );

  const validate = () => $.type.func().param('data', (p) => p.type('unknown')).returns($.type('Promise').generic('unknown'));
  const operationValidators = plugin.symbol('OperationValidators');
  plugin.node(
    $.type
      .alias(operationValidators)
      .export()
      .doc("One operation's validators; each resolves to the parsed value or throws a zod error.")
      .type(
        $.type
          .object()
          .prop('request', (p) => p.optional().type(validate()))
          .prop('response', (p) => p.optional().type(validate())),
      ),
  );
  plugin.node(
    $.const(plugin.symbol(plugin.config.tableName))
      .export()
      .type($.type('Record').generics('string', $.type(operationValidators)))
      .doc([
        "Every operation's request and response validator, keyed by `'<METHOD> <path template>'`.",
        'A request validator receives the resolved request options (`headers` as `Headers`); both throw a',
        'zod error whose `issues` say what broke the contract.',
      ])
      .assign(table),
  );
};
