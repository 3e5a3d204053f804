import { $, type IR } from '@hey-api/openapi-ts';

import { parameterRequestParts, type ParameterReaders } from './parameters.ts';
import type { HonoPlugin } from './types.ts';

type Plugin = HonoPlugin['Instance'];
type Expression = ReturnType<typeof $.call>;

interface SpecResponse {
  $ref?: string;
  content?: Record<string, unknown>;
  description?: string;
  headers?: Record<string, SpecHeader & { $ref?: string }>;
}

interface SpecHeader {
  description?: string;
  required?: boolean;
}

interface SpecOperation {
  deprecated?: boolean;
  responses?: Record<string, SpecResponse>;
  security?: Array<Record<string, Array<string>>>;
  /** When the operation was (or will be) deprecated, RFC 3339: the `Deprecation` header's date. */
  'x-deprecated-at'?: string;
  /** When the operation stops answering, RFC 3339: the `Sunset` header's date. */
  'x-sunset'?: string;
}

/**
 * The `createRoute({...})` argument for one operation, and the statuses it answers without
 * content (Hono types those responses with a `null` body).
 */
export function routeConfig(
  plugin: Plugin,
  operation: IR.OperationObject,
  readers: ParameterReaders,
): { config: ReturnType<typeof $.object>; noContentStatuses: Array<number> } {
  const specOperation = findSpecOperation(plugin, operation);
  const security = specOperation.security ?? plugin.context.spec.security;
  const request = $.object().pretty();
  for (const { key, schema } of parameterRequestParts(plugin, operation, readers)) {
    request.prop(key, schema);
  }
  const body = requestBody(plugin, operation);
  if (body) request.prop('body', body);

  const config = $.object()
    .pretty()
    .prop('method', $.literal(operation.method))
    .prop('path', $.literal(operation.path))
    .$if(operation.operationId, (o, id) => o.prop('operationId', $.literal(id)))
    .$if(operation.tags?.length && operation.tags, (o, tags) => o.prop('tags', $.fromValue(tags)))
    .$if(operation.summary, (o, summary) => o.prop('summary', $.literal(summary)))
    .$if(operation.description, (o, description) => o.prop('description', $.literal(description)))
    .$if(operation.deprecated, (o) => o.prop('deprecated', $.literal(true)))
    .$if(security, (o, value) => o.prop('security', $.fromValue(value)))
    .$if(!request.isEmpty, (o) => o.prop('request', request))
    .$if(deprecationMiddleware(operation, specOperation), (o, middleware) => o.prop('middleware', $.array(middleware)))
    .prop('responses', responses(plugin, operation, specOperation));
  const noContentStatuses = Object.entries(specOperation.responses ?? {})
    .filter(([status, response]) => /^\d{3}$/.test(status) && !resolve(plugin, response).content)
    .map(([status]) => Number(status));
  return { config, noContentStatuses };
}

/**
 * For an operation the contract marks `deprecated: true`, a middleware that tells every answer so:
 * `Deprecation: @<unix time>` (RFC 9745) from `x-deprecated-at`, and `Sunset: <HTTP date>` (RFC 8594)
 * from `x-sunset` when the contract gives one. Set before the handler runs, so problems carry them too.
 */
function deprecationMiddleware(operation: IR.OperationObject, specOperation: SpecOperation) {
  if (!specOperation.deprecated) return undefined;
  const deprecatedAt = parseDate(operation, 'x-deprecated-at', specOperation['x-deprecated-at']);
  if (deprecatedAt === undefined) {
    throw new Error(`hono: ${operation.id} is deprecated: add x-deprecated-at (an RFC 3339 date) so its Deprecation header can say since when`);
  }
  const sunset = parseDate(operation, 'x-sunset', specOperation['x-sunset']);
  const headers = [
    $.stmt($('c').attr('header').call($.literal('Deprecation'), $.literal(`@${Math.floor(deprecatedAt.getTime() / 1000)}`))),
    ...(sunset ? [$.stmt($('c').attr('header').call($.literal('Sunset'), $.literal(sunset.toUTCString())))] : []),
  ];
  return $.func()
    .async()
    .param('c')
    .param('next')
    .do(...headers, $.stmt($('next').call().await()));
}

function parseDate(operation: IR.OperationObject, extension: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`hono: ${operation.id} has ${extension}: ${JSON.stringify(value)}, which is not an RFC 3339 date`);
  return date;
}

function findSpecOperation(plugin: Plugin, operation: IR.OperationObject): SpecOperation {
  return plugin.context.spec.paths?.[operation.path]?.[operation.method] ?? {};
}

function requestBody(plugin: Plugin, operation: IR.OperationObject) {
  if (!operation.body) return undefined;
  const schema = plugin.querySymbol({
    category: 'schema',
    resource: 'operation',
    resourceId: operation.id,
    role: 'request-body',
    tool: 'zod',
  });
  if (!schema) return undefined;
  return $.object()
    .pretty()
    .prop(
      'content',
      $.object()
        .pretty()
        .prop(operation.body.mediaType, $.object().prop('schema', $(schema))),
    )
    .prop('required', $.literal(Boolean(operation.body.required)));
}

/** Every documented response, with its description, headers and a schema per media type. */
function responses(plugin: Plugin, operation: IR.OperationObject, specOperation: SpecOperation) {
  const result = $.object().pretty();
  for (const [status, specResponseOrRef] of Object.entries(specOperation.responses ?? {})) {
    const specResponse = resolve<SpecResponse>(plugin, specResponseOrRef);
    const response = $.object()
      .pretty()
      .prop('description', $.literal(specResponse.description ?? ''));
    const headers = Object.entries(specResponse.headers ?? {});
    if (headers.length) {
      const headersObject = $.object().pretty();
      for (const [name, headerOrRef] of headers) {
        const { description, required } = resolve<SpecHeader>(plugin, headerOrRef);
        headersObject.prop(
          name,
          $.object()
            .$if(description, (o, text) => o.prop('description', $.literal(text)))
            .$if(required, (o) => o.prop('required', $.literal(true))),
        );
      }
      response.prop('headers', headersObject);
    }
    const mediaTypes = Object.keys(specResponse.content ?? {});
    if (mediaTypes.length) {
      const schema = responseSchema(plugin, operation, status);
      const content = $.object().pretty();
      for (const mediaType of mediaTypes) {
        content.prop(mediaType, $.object().prop('schema', schema));
      }
      response.prop('content', content);
    }
    result.prop(status, response);
  }
  return result;
}

/**
 * A response's zod schema: the component's schema for a `$ref`, otherwise the zod plugin's
 * schema of the operation's successful responses.
 */
function responseSchema(plugin: Plugin, operation: IR.OperationObject, status: string): Expression {
  const irSchema = operation.responses?.[status]?.schema;
  if (irSchema?.$ref) {
    return $(
      plugin.referenceSymbol({
        category: 'schema',
        resource: 'definition',
        resourceId: irSchema.$ref,
        tool: 'zod',
      }),
    ) as unknown as Expression;
  }
  const successes = plugin.querySymbol({
    category: 'schema',
    resource: 'operation',
    resourceId: operation.id,
    role: 'responses',
    tool: 'zod',
  });
  if (status.startsWith('2') && successes) return $(successes) as unknown as Expression;
  console.warn(
    `hono: ${operation.id} ${status} has an inline schema the zod plugin does not export; it is not validated (z.unknown()).`,
  );
  return $(plugin.external('zod.z')).attr('unknown').call();
}

function resolve<T>(plugin: Plugin, value: T & { $ref?: string }): T {
  return value.$ref ? resolve(plugin, plugin.context.resolveRef<T & { $ref?: string }>(value.$ref)) : value;
}
