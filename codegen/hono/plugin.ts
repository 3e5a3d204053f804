import { $ } from '@hey-api/openapi-ts';

import { ParameterReaders } from './parameters.ts';
import { routeConfig } from './route.ts';
import type { HonoPlugin } from './types.ts';

export const handler: HonoPlugin['Handler'] = ({ plugin }) => {
  const fromZodOpenApi = (name: string, kind?: 'type') =>
    plugin.symbol(name, { external: '@hono/zod-openapi', ...(kind && { kind }) });
  const createRoute = fromZodOpenApi('createRoute');
  const openApiHono = fromZodOpenApi('OpenAPIHono', 'type');
  const routeConfigType = fromZodOpenApi('RouteConfig', 'type');
  const routeHandler = fromZodOpenApi('RouteHandler', 'type');
  const typedResponse = fromZodOpenApi('RouteConfigToTypedResponse', 'type');
  const env = plugin.symbol('Env', { external: 'hono', kind: 'type' });
  const honoTypedResponse = plugin.symbol('TypedResponse', { external: 'hono', kind: 'type' });
  const statusCode = plugin.symbol('StatusCode', { external: 'hono/utils/http-status', kind: 'type' });

  const readers = new ParameterReaders(plugin);
  const routes: Array<{
    node: ReturnType<typeof $.const>;
    noContentStatuses: Array<number>;
    operationId: string;
    symbol: ReturnType<typeof plugin.symbol>;
  }> = [];

  plugin.forEach(
    'operation',
    ({ operation }) => {
      const symbol = plugin.symbol(`${operation.id}${plugin.config.routeNameSuffix}`, {
        meta: {
          category: 'route',
          resource: 'operation',
          resourceId: operation.id,
          role: 'route',
          tool: plugin.name,
        },
      });
      const { config, noContentStatuses } = routeConfig(plugin, operation, readers);
      const node = $.const(symbol)
        .export()
        .$if(operation.summary, (n, summary) => n.doc(summary))
        .assign($(createRoute).call(config));
      routes.push({ node, noContentStatuses, operationId: operation.id, symbol });
    },
    { order: 'declarations' },
  );

  for (const declaration of readers.declarations()) plugin.node(declaration);
  for (const { node } of routes) plugin.node(node);

  const routesObject = $.object().pretty();
  for (const { operationId, symbol } of routes) routesObject.prop(operationId, $(symbol));
  plugin.node(
    $.const(plugin.symbol(plugin.config.routesName))
      .export()
      .doc('Every route of the API, keyed by operationId.')
      .assign(routesObject),
  );

  const routeResponse = plugin.symbol('RouteResponse');
  const routeResponseOf = () => $.type(routeResponse).generics('R', 'NoContentStatus');
  plugin.node(
    $.type
      .alias(routeResponse)
      .export()
      .doc([
        'What a handler of route `R` may answer: a declared status with its declared body, or',
        '`c.body(null, status)` for a declared status without content (`NoContentStatus`).',
      ])
      .generic('R', (g) => g.extends($.type(routeConfigType)))
      .generic('NoContentStatus', (g) => g.extends($.type(statusCode)).default('never'))
      .type(
        $.type.or(
          $.type.and($.type(typedResponse).generic('R'), $.type('Response')),
          $.type.idx(
            $.type
              .mapped('S')
              .key('NoContentStatus')
              .type(
                $.type.and(
                  $.type('Response'),
                  $.type(honoTypedResponse).generics('null', 'S', $.type.literal('body')),
                ),
              ),
            'NoContentStatus',
          ),
        ),
      ),
  );

  const operationHandler = plugin.symbol('OperationHandler');
  const routeHandlerParameters = () =>
    $.type('Parameters').generic($.type(routeHandler).generics('R', 'E'));
  plugin.node(
    $.type
      .alias(operationHandler)
      .export()
      .doc([
        "A handler for route `R`. Unlike zod-openapi's `RouteHandler`, it may only answer with a",
        'status the route declares and that status’s body, even when some response has no content.',
      ])
      .generic('R', (g) => g.extends($.type(routeConfigType)))
      .generic('E', (g) => g.extends($.type(env)).default($.type(env)))
      .generic('NoContentStatus', (g) => g.extends($.type(statusCode)).default('never'))
      .type(
        $.type
          .func()
          .param('c', (p) => p.type(routeHandlerParameters().idx(0)))
          .param('next', (p) => p.type(routeHandlerParameters().idx(1)))
          .returns($.type.or(routeResponseOf(), $.type('Promise').generic(routeResponseOf()))),
      ),
  );

  const handlersType = plugin.symbol(plugin.config.handlersTypeName);
  const handlersObject = $.type.object();
  for (const { noContentStatuses, operationId, symbol } of routes) {
    const handlerType = $.type(operationHandler).generics($.type.query($(symbol)), 'E');
    if (noContentStatuses.length) {
      handlerType.generic($.type.or(...noContentStatuses.map((status) => $.type.literal(status))));
    }
    handlersObject.prop(operationId, (p) => p.type(handlerType));
  }
  plugin.node(
    $.type
      .alias(handlersType)
      .export()
      .doc([
        'One handler per operation, keyed by operationId. Typed as `const handlers: Handlers = {...}`,',
        'a missing operation, an undeclared status or a body that does not match fails to compile.',
      ])
      .generic('E', (g) => g.extends($.type(env)).default($.type(env)))
      .type(handlersObject),
  );

  const register = plugin.symbol(plugin.config.registerFunctionName);
  plugin.node(
    $.func(register)
        .export()
        .doc('Registers every handler on `app` under its route.')
        .generic('E', (g) => g.extends($.type(env)))
        .param('app', (p) => p.type($.type(openApiHono).generic('E')))
        .param('handlers', (p) => p.type($.type(handlersType).generic('E')))
        .returns('void')
        .do(
          ...routes.map(({ operationId, symbol }) =>
            $.stmt($('app').attr('openapi').call($(symbol), $('handlers').attr(operationId))),
          ),
        ),
  );
};
