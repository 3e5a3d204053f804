import { $ } from '@hey-api/openapi-ts';

import type { ValidatorsPlugin } from './types.ts';

/**
 * Emits, per operation, the zod plugin's own request and response validators (the same functions
 * `@hey-api/sdk` would inline, resolvers included) with the operation they belong to, and one list of
 * them all. The operation functions then carry no zod: an app that does not import these bundles no
 * schema, and one that imports a few validators bundles only their schemas.
 */
export const handler: ValidatorsPlugin['Handler'] = ({ plugin }) => {
  const zod = plugin.getPluginOrThrow('zod');

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
          .prop('operation', (p) => p.type('string'))
          .prop('request', (p) => p.optional().type(validate()))
          .prop('response', (p) => p.optional().type(validate())),
      ),
  );

  const symbols: Array<ReturnType<typeof plugin.symbol>> = [];
  plugin.forEach(
    'operation',
    ({ operation }) => {
      const request = zod.api.createRequestValidator({ operation, plugin: zod });
      const response = zod.api.createResponseValidator({ operation, plugin: zod });
      if (!request && !response) return;
      const route = `${operation.method.toUpperCase()} ${operation.path}`;
      const entry = $.object().pretty().prop('operation', $.literal(route));
      if (request) entry.prop('request', request.arrow());
      if (response) entry.prop('response', response.arrow());
      const symbol = plugin.symbol(`${operation.id}${plugin.config.nameSuffix}`);
      symbols.push(symbol);
      plugin.node(
        $.const(symbol)
          .export()
          .doc(`Validators of \`${operation.id}\` (\`${route}\`).`)
          .type($.type(operationValidators))
          .assign(entry),
      );
    },
    { order: 'declarations' },
  );

  plugin.node(
    $.const(plugin.symbol(plugin.config.listName))
      .export()
      .doc([
        "Every operation's validators. A request validator receives the resolved request options",
        '(`headers` as `Headers`); both throw a zod error whose `issues` say what broke the contract.',
      ])
      .type($.type('ReadonlyArray').generic($.type(operationValidators)))
      .assign($.array(...symbols.map((symbol) => $(symbol)))),
  );
};
