import { $, type IR } from '@hey-api/openapi-ts';

import type { HonoPlugin } from './types.ts';

type Plugin = HonoPlugin['Instance'];
type Expression = ReturnType<typeof $.call>;
type ParameterLocation = keyof IR.ParametersObject;

/** Where each parameter location goes in a zod-openapi route's `request`, and the zod plugin's schema for it. */
const requestParts = {
  cookie: { key: 'cookies', zodRole: undefined },
  header: { key: 'headers', zodRole: 'request-headers' },
  path: { key: 'params', zodRole: 'request-path' },
  query: { key: 'query', zodRole: 'request-query' },
} as const satisfies Record<ParameterLocation, { key: string; zodRole: string | undefined }>;

type Reader = 'readBoolean' | 'readInteger' | 'readNumber';

/**
 * The helpers that read raw parameter strings. Emitted once, and only those some route uses.
 */
export class ParameterReaders {
  private readonly symbols = new Map<Reader | 'readList', ReturnType<Plugin['symbol']>>();

  constructor(private readonly plugin: Plugin) {}

  /** Wraps `schema` so the raw value of `parameter` is read into what the schema expects. */
  wrap(parameter: IR.ParameterObject, schema: Expression): Expression {
    const reader = this.readerFor(parameter);
    if (!reader) return schema;
    return $(this.plugin.external('zod.z')).attr('preprocess').call(reader, schema);
  }

  /** Declarations of the helpers that `wrap` referenced. */
  declarations(): Array<ReturnType<typeof $.func>> {
    const declarations: Array<ReturnType<typeof $.func>> = [];
    const readInteger = this.symbols.get('readInteger');
    const readNumber = this.symbols.get('readNumber');
    const readBoolean = this.symbols.get('readBoolean');
    const readList = this.symbols.get('readList');
    if (readInteger) declarations.push(readNumberDeclaration(readInteger, 'integer'));
    if (readNumber) declarations.push(readNumberDeclaration(readNumber, 'number'));
    if (readBoolean) declarations.push(readBooleanDeclaration(readBoolean));
    if (readList) declarations.push(readListDeclaration(readList));
    return declarations;
  }

  private readerFor(parameter: IR.ParameterObject) {
    if (!this.plugin.config.coerceParameters) return undefined;
    const schema = this.resolve(parameter.schema);
    if (schema.type !== 'array') {
      const reader = this.scalarReader(schema);
      return reader && this.reference(reader);
    }
    const itemReader = schema.items?.[0] && this.scalarReader(this.resolve(schema.items[0]));
    const repeated = parameter.location === 'query' && parameter.explode;
    const options = $.object()
      .$if(itemReader, (o, reader) => o.prop('readItem', this.reference(reader)))
      .$if(!repeated, (o) => o.prop('separator', $.literal(',')));
    return this.reference('readList').call(...(options.isEmpty ? [] : [options]));
  }

  private scalarReader(schema: IR.SchemaObject): Reader | undefined {
    switch (schema.type) {
      case 'integer':
        return 'readInteger';
      case 'number':
        return 'readNumber';
      case 'boolean':
        return 'readBoolean';
      case 'enum':
      case undefined: {
        const readers = new Set(
          (schema.items ?? [])
            .map((item) => this.resolve(item))
            .filter((item) => item.type !== 'null')
            .map((item) =>
              item.const === undefined ? this.scalarReader(item) : scalarReaderForValue(item.const),
            ),
        );
        return readers.size === 1 ? [...readers][0] : undefined;
      }
      default:
        return undefined;
    }
  }

  private resolve(schema: IR.SchemaObject): IR.SchemaObject {
    return schema.$ref ? this.resolve(this.plugin.context.resolveIrRef<IR.SchemaObject>(schema.$ref)) : schema;
  }

  private reference(name: Reader | 'readList') {
    let symbol = this.symbols.get(name);
    if (!symbol) {
      symbol = this.plugin.symbol(name, {
        meta: { category: 'utility', resource: name, tool: this.plugin.name },
      });
      this.symbols.set(name, symbol);
    }
    return $(symbol);
  }
}

function scalarReaderForValue(value: unknown): Reader | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? 'readInteger' : 'readNumber';
  if (typeof value === 'boolean') return 'readBoolean';
  return undefined;
}

const value = () => $('value');

/**
 * The canonical decimal text of each numeric type: no sign but `-`, no leading zeros, no blanks, exponent,
 * hex or `Infinity`, and for integers no fraction. `Number()` alone would take `0x10`, `+5`, `05`, ` 5`,
 * `5.0` and `1e1`, so a client could send what the contract's type does not describe.
 */
const canonicalNumberPatterns = {
  integer: '^(?:0|-?[1-9][0-9]*)$',
  number: '^-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?$',
} as const;

function readNumberDeclaration(symbol: ReturnType<Plugin['symbol']>, type: keyof typeof canonicalNumberPatterns) {
  const isCanonical = $.binary(
    $.binary($.typeofExpr(value()), '===', $.literal('string')),
    '&&',
    $($.regexp(canonicalNumberPatterns[type])).attr('test').call(value()),
  );
  return $.func(symbol)
    .doc(`Reads a parameter string written as a canonical decimal ${type} as a number; anything else is left for the schema to reject.`)
    .param('value', (p) => p.type('unknown'))
    .returns('unknown')
    .do($.return($.ternary(isCanonical).do($('Number').call(value())).otherwise(value())));
}

function readBooleanDeclaration(symbol: ReturnType<Plugin['symbol']>) {
  return $.func(symbol)
    .doc('Reads `true` and `false` as booleans; anything else is left for the schema to reject.')
    .param('value', (p) => p.type('unknown'))
    .returns('unknown')
    .do(
      $.return(
        $.ternary($.binary(value(), '===', $.literal('true')))
          .do($.literal(true))
          .otherwise(
            $.ternary($.binary(value(), '===', $.literal('false')))
              .do($.literal(false))
              .otherwise(value()),
          ),
      ),
    );
}

function readListDeclaration(symbol: ReturnType<Plugin['symbol']>) {
  const options = () => $('options');
  const items = () => $('items');
  const isList = () => $('Array').attr('isArray').call(value());
  const splitText = $.ternary(options().attr('separator').optional())
    .do(value().attr('split').call(options().attr('separator').optional()))
    .otherwise($.array(value()));
  const readList = $.func()
    .param('value', (p) => p.type('unknown'))
    .returns('unknown')
    .do(
      $.const('items').assign(
        $.ternary(isList())
          .do(value())
          .otherwise(
            $.ternary($.binary($.typeofExpr(value()), '===', $.literal('string')))
              .do(splitText)
              .otherwise($('undefined')),
          ),
      ),
      $.return(
        $.ternary($.binary(items(), '===', $('undefined')))
          .do(value())
          .otherwise(
            $.ternary(options().attr('readItem').optional())
              .do(items().attr('map').call(options().attr('readItem').optional()))
              .otherwise(items()),
          ),
      ),
    );
  return $.func(symbol)
    .doc([
      'Reads a list parameter: a query parameter given once or repeated, or a value',
      'joined by `separator` (path and header parameters, `explode: false` queries).',
    ])
    .param('options', (p) =>
      p.optional().type('{ readItem?: (item: unknown) => unknown; separator?: string }'),
    )
    .do($.return(readList));
}

/**
 * The `request` entries for an operation's parameters: one `z.object` per location, built from
 * the zod plugin's schemas, with lowercase header names (how Hono hands headers to validators)
 * and raw strings read into numbers, booleans and arrays.
 */
export function parameterRequestParts(
  plugin: Plugin,
  operation: IR.OperationObject,
  readers: ParameterReaders,
): Array<{ key: string; schema: Expression }> {
  const z = plugin.external('zod.z');
  const parts: Array<{ key: string; schema: Expression }> = [];
  for (const location of ['path', 'query', 'header', 'cookie'] as const) {
    const parameters = Object.values(operation.parameters?.[location] ?? {});
    if (!parameters.length) continue;
    const { key, zodRole } = requestParts[location];
    const locationSchema =
      zodRole &&
      plugin.querySymbol({
        category: 'schema',
        resource: 'operation',
        resourceId: operation.id,
        role: zodRole,
        tool: 'zod',
      });
    const shape = $.object().pretty();
    for (const parameter of parameters) {
      const schema = locationSchema
        ? $(locationSchema).attr('shape').attr(parameter.name)
        : cookieSchema(plugin, parameter);
      const name = location === 'header' ? parameter.name.toLowerCase() : parameter.name;
      shape.prop(name, readers.wrap(parameter, schema as Expression));
    }
    parts.push({ key, schema: $(z).attr('object').call(shape) });
  }
  return parts;
}

/** The zod plugin has no cookie schemas yet; cookies get their primitive type only. */
function cookieSchema(plugin: Plugin, parameter: IR.ParameterObject): Expression {
  const z = $(plugin.external('zod.z'));
  const type = parameter.schema.type;
  const base =
    type === 'integer'
      ? z.attr('int').call()
      : type === 'number' || type === 'boolean' || type === 'string'
        ? z.attr(type).call()
        : z.attr('unknown').call();
  return parameter.required ? base : base.attr('optional').call();
}
