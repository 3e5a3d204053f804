import { $, type Plugins } from '@hey-api/openapi-ts';

type ValidatorResolvers = Exclude<NonNullable<Plugins.Zod.Resolvers['validator']>, (...args: never) => unknown>;
type RequestValidatorResolver = NonNullable<ValidatorResolvers['request']>;

/**
 * The zod plugin's request validator body, made to read header parameters from a `Headers` instance.
 *
 * The fetch client calls `requestValidator` with its resolved options, whose `headers` is already a
 * `Headers` (merged from the client's and the call's headers, names lowercased), while the zod schema
 * of the header parameters is a plain object keyed by the names the spec declares
 * (`'Idempotency-Key'`). Parsed as is, every declared header reads as missing and every call of an
 * operation with a required header fails before it is sent (hey-api/openapi-ts#2537, #2643). So for
 * operations with header parameters the validator looks each declared name up with `headers.get`,
 * which ignores case, and parses that object instead; body, path and query are parsed as before.
 * Operations without header parameters keep the plugin's own body.
 *
 * Emitted, for `placeOrder`:
 * ```ts
 * requestValidator: async (data) => {
 *   const request = data as { headers: Headers };
 *   return await z.object({ body: zPlaceOrderBody, headers: zPlaceOrderHeaders, … }).parseAsync({
 *     ...request,
 *     headers: { 'Idempotency-Key': request.headers.get('Idempotency-Key') ?? undefined },
 *   });
 * }
 * ```
 *
 * @example
 * ```ts
 * plugins: [{ name: 'zod', '~resolvers': { validator: { request: headersAwareRequestValidator } } }]
 * ```
 */
export const headersAwareRequestValidator: RequestValidatorResolver = (ctx) => {
  const headerParameters = Object.values(ctx.operation.parameters?.header ?? {});
  if (headerParameters.length === 0) return undefined;

  const request = 'request';
  const headers = $.object();
  for (const { name } of headerParameters) {
    headers.prop(name, $.binary($(request).attr('headers').attr('get').call($.literal(name)), '??', 'undefined'));
  }
  return [
    $.const(request).assign($.as('data', $.type.object().prop('headers', (p) => p.type('Headers')))),
    $(ctx.symbols.schema).attr('parseAsync').call($.object().spread(request).prop('headers', headers)).await().return(),
  ];
};
