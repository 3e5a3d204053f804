import { $, type Plugins } from '@hey-api/openapi-ts';

type StringResolver = NonNullable<Plugins.Zod.Resolvers['string']>;
type StringContext = Parameters<StringResolver>[0];

const pchar = "(?:[a-z0-9\\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})";
const segments = `(?:\\/${pchar}*)*`;
const authority = `(?:(?:[a-z0-9\\-._~!$&'()*+,;=:]|%[0-9a-f]{2})*@)?(?:\\[[0-9a-f:.]+\\]|(?:[a-z0-9\\-._~!$&'()*+,;=]|%[0-9a-f]{2})*)(?::[0-9]*)?`;

/**
 * RFC 3986's `URI-reference`: an absolute URI or a relative reference, each part with only the characters
 * its grammar allows and well-formed percent-escapes. An IP-literal host is checked for its characters only.
 */
export const uriReferencePattern =
  `^(?:[a-z][a-z0-9+\\-.]*:)?(?:\\/\\/${authority}${segments}|\\/(?:${pchar}+${segments})?|${pchar}+${segments})?` +
  `(?:\\?(?:${pchar}|[/?])*)?(?:#(?:${pchar}|[/?])*)?$`;

/** The formats the zod plugin leaves unchecked, as the pattern that checks them. */
const formatPatterns: Partial<Record<string, string>> = { 'uri-reference': uriReferencePattern };

/**
 * The zod plugin's string schema, with the formats it does not check (`uri-reference`) checked by a pattern,
 * on top of any `pattern` the contract gives: `z.string().max(2048).regex(/^(?:[a-z]…$/i)`, or in `zod/mini`
 * `z.string().check(z.maxLength(2048), z.regex(/…/i))`. Other strings keep the plugin's own output.
 *
 * @example
 * ```ts
 * plugins: [{ name: 'zod', '~resolvers': { string: stringKeywords } }]
 * ```
 */
export const stringKeywords: StringResolver = (ctx) => {
  const formatPattern = ctx.schema.format && formatPatterns[ctx.schema.format];
  if (!formatPattern || ctx.schema.const !== undefined) return undefined;
  const base = ctx.nodes.base(ctx);
  const lengthNodes = ctx.schema.minLength !== undefined && ctx.schema.minLength === ctx.schema.maxLength ? [ctx.nodes.length] : [ctx.nodes.minLength, ctx.nodes.maxLength];
  const formatCheck = $.regexp(formatPattern, 'i');
  ctx.chain.current = base;
  if (ctx.plugin.config.compatibilityVersion === 'mini') {
    // zod/mini's nodes return checks of their own, gathered into one `.check(…)`.
    const checks = [...lengthNodes, ctx.nodes.pattern].map((node) => node(ctx)).filter((check) => check !== undefined);
    return base.attr('check').call(...checks, $(ctx.symbols.z).attr('regex').call(formatCheck));
  }
  // zod's nodes each extend the chain so far.
  for (const node of [...lengthNodes, ctx.nodes.pattern]) ctx.chain.current = node(ctx) ?? ctx.chain.current;
  return ctx.chain.current.attr('regex').call(formatCheck);
};
