type JsonObject = Record<string, unknown>;

/** What the zod plugin's resolvers know of where they are: the walker's path and the parsed contract. */
export interface WalkerPosition {
  walkerCtx: { path: unknown };
  plugin: { context: { spec: unknown } };
}

/**
 * The contract's own schema at the walker's path (`components/schemas/Order/properties/lines`), for keywords
 * hey-api's parser does not carry into its IR (`uniqueItems`, `minProperties`, `maxProperties`). The walker
 * counts composition members and array items as `items/<n>`, and names the variants it derives for requests
 * `…Writable`; both are mapped back to the contract.
 */
export function contractSchemaAt(position: WalkerPosition): JsonObject | undefined {
  const path = (position.walkerCtx.path as { '~ref': ReadonlyArray<string | number> })['~ref'];
  let node: unknown = position.plugin.context.spec;
  for (let index = 0; index < path.length; index++) {
    if (!isObject(node)) return undefined;
    const segment = path[index]!;
    const next = path[index + 1];
    if (segment === 'items' && typeof next === 'number') {
      node = isObject(node.items) ? node.items : ((node.allOf ?? node.oneOf ?? node.anyOf) as unknown[] | undefined)?.[next];
      index++;
    } else if (path[index - 1] === 'schemas' && typeof segment === 'string' && !(segment in node)) {
      node = node[segment.replace(/Writable$/, '')];
    } else {
      node = node[segment];
    }
  }
  return isObject(node) ? node : undefined;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
