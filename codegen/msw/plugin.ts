import { $ } from '@hey-api/openapi-ts';

import { successAnswers } from '../contract-examples.ts';
import { operationSymbol } from '../operations/index.ts';
import type { MswPlugin } from './types.ts';

/**
 * Emits, from the contract's examples, a fixture factory per schema a success answer returns
 * (`orderFixture(overrides?)`, from the first operation that answers with it and its first example),
 * an MSW handler factory per operation the `operations` plugin made a function for
 * (`placeOrderHandler(resolver?)`, answering its first success status with the fixture), and the list
 * of every handler with its default answer (`handlers`).
 */
export const handler: MswPlugin['Handler'] = ({ plugin }) => {
  const handlerOf = plugin.symbol('handlerOf', { external: plugin.config.runtime });
  const fixtureOf = plugin.symbol('fixtureOf', { external: plugin.config.runtime });
  const fixtures = new Map<string, ReturnType<typeof plugin.symbol>>();
  const handlers: Array<ReturnType<typeof plugin.symbol>> = [];

  plugin.forEach(
    'operation',
    ({ operation }) => {
      const operationFunction = plugin.querySymbol(operationSymbol(operation.id));
      if (!operationFunction) return;
      const [answer] = successAnswers(plugin, operation);
      if (!answer) return;
      const [example] = answer.examples;
      const name = answer.schemaName ?? `${operation.id[0]!.toUpperCase()}${operation.id.slice(1)}Response`;
      if (example && !fixtures.has(name)) {
        const type = answer.schemaName
          ? plugin.querySymbol({ category: 'type', resource: 'definition', resourceId: `#/components/schemas/${answer.schemaName}`, tool: 'typescript' })
          : undefined;
        const fixture = plugin.symbol(`${name[0]!.toLowerCase()}${name.slice(1)}${plugin.config.fixtureSuffix}`);
        fixtures.set(name, fixture);
        plugin.node(
          $.const(fixture)
            .export()
            .doc([
              `A \`${name}\` from the contract's example \`${example.name}\` of \`${operation.id}\`, with \`overrides\` on top.`,
              '@example',
              '```ts',
              `const fixture = ${fixture.name}();`,
              '```',
            ])
            .assign($(fixtureOf).call($.fromValue(example.value)).$if(type, (call, symbol) => call.generics($.type(symbol)))),
        );
      }
      const fixture = answer.contentType && fixtures.get(name);
      const defaultAnswer = $.object().prop('status', $.literal(answer.status)).$if(fixture, (o, symbol) => o.prop('body', $(symbol)));
      const handlerSymbol = plugin.symbol(`${operation.id}${plugin.config.handlerSuffix}`);
      handlers.push(handlerSymbol);
      plugin.node(
        $.const(handlerSymbol)
          .export()
          .doc([
            `An MSW handler of \`${operation.id}\` (\`${operation.method.toUpperCase()} ${operation.path}\`): answers \`${answer.status}\`${fixture ? ` with \`${fixture.name}()\`` : ''}, or as \`resolver\` says.`,
            '@example',
            '```ts',
            `server.use(${handlerSymbol.name}(() => HttpResponse.json(problem, { status: 503 })));`,
            '```',
          ])
          .assign($(handlerOf).call($(operationFunction), defaultAnswer)),
      );
    },
    { order: 'declarations' },
  );

  plugin.node(
    $.const(plugin.symbol(plugin.config.handlersName))
      .export()
      .doc("A handler for every operation, answering with the contract's examples: `setupServer(...handlers)`.")
      .assign($.array(...handlers.map((symbol) => $(symbol).call()))),
  );
};
