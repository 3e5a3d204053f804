import type { IR } from '@hey-api/openapi-ts';

type JsonObject = Record<string, unknown>;

/** What the plugins read of the parsed contract; hey-api's IR does not carry examples. */
export interface ContractContext {
  context: { spec: unknown; resolveRef<T>($ref: string): T };
}

/** A success answer of an operation with its named examples, in the contract's order. */
export interface SuccessAnswer {
  status: number;
  /** `undefined` for an answer without content (`204`). */
  contentType: string | undefined;
  /** The component the body's schema refers to (`Order`), when it refers to one. */
  schemaName: string | undefined;
  examples: Array<{ name: string; value: unknown }>;
}

/** The contract's own operation object of an IR operation, path-level parameters merged in. */
export function specOperationOf(plugin: ContractContext, operation: IR.OperationObject): JsonObject {
  const pathItem = ((plugin.context.spec as JsonObject).paths as Record<string, JsonObject> | undefined)?.[operation.path] ?? {};
  const specOperation = (pathItem[operation.method] ?? {}) as JsonObject;
  const parameters = [...((pathItem.parameters as unknown[]) ?? []), ...((specOperation.parameters as unknown[]) ?? [])];
  return { ...specOperation, parameters: parameters.map((parameter) => resolved(plugin, parameter)) };
}

/** Whether the contract secures the operation (its own `security`, else the document's; `security: []` is public). */
export function isSecured(plugin: ContractContext, operation: IR.OperationObject): boolean {
  const security = (specOperationOf(plugin, operation).security ?? (plugin.context.spec as JsonObject).security) as unknown[] | undefined;
  return (security?.length ?? 0) > 0;
}

/** Whether the operation answers with a stream of Server-Sent Events rather than one body. */
export function isEventStream(operation: IR.OperationObject): boolean {
  return Object.values(operation.responses ?? {}).some((response) => response?.mediaType === 'text/event-stream');
}

/** An example of each required path, query and header parameter, grouped as an operation function takes them. */
export function parameterExamples(plugin: ContractContext, operation: IR.OperationObject): Record<'path' | 'query' | 'headers', JsonObject> {
  const groups = { path: {} as JsonObject, query: {} as JsonObject, headers: {} as JsonObject };
  for (const parameter of specOperationOf(plugin, operation).parameters as JsonObject[]) {
    const group = ({ path: 'path', query: 'query', header: 'headers' } as const)[parameter.in as 'path' | 'query' | 'header'];
    if (!group || !parameter.required || parameter.name === 'Idempotency-Key') continue;
    const schema = resolved(plugin, parameter.schema) as JsonObject | undefined;
    groups[group][parameter.name as string] = parameter.example ?? (schema?.examples as unknown[] | undefined)?.[0] ?? schema?.default ?? '…';
  }
  return groups;
}

/** The first example of the operation's JSON request body, if it has one. */
export function requestBodyExample(plugin: ContractContext, operation: IR.OperationObject): unknown {
  const requestBody = resolved(plugin, specOperationOf(plugin, operation).requestBody) as JsonObject | undefined;
  const media = (requestBody?.content as Record<string, JsonObject> | undefined)?.['application/json'];
  if (!media) return undefined;
  const examples = Object.values((media.examples as Record<string, unknown> | undefined) ?? {});
  return media.example ?? (resolved(plugin, examples[0]) as JsonObject | undefined)?.value;
}

/** The operation's success answers (2xx), each with its content type, schema name and named examples. */
export function successAnswers(plugin: ContractContext, operation: IR.OperationObject): SuccessAnswer[] {
  const responses = (specOperationOf(plugin, operation).responses ?? {}) as Record<string, unknown>;
  return Object.entries(responses)
    .filter(([status]) => /^2\d\d$/.test(status))
    .map(([status, response]) => {
      const content = (resolved(plugin, response) as JsonObject).content as Record<string, JsonObject> | undefined;
      const [contentType, media] = Object.entries(content ?? {})[0] ?? [];
      const ref = (media?.schema as JsonObject | undefined)?.$ref;
      const examples = Object.entries((media?.examples as Record<string, unknown> | undefined) ?? {}).map(([name, example]) => ({
        name,
        value: (resolved(plugin, example) as JsonObject).value,
      }));
      if (!examples.length && media?.example !== undefined) examples.push({ name: 'example', value: media.example });
      return {
        status: Number(status),
        contentType,
        schemaName: typeof ref === 'string' ? ref.slice(ref.lastIndexOf('/') + 1) : undefined,
        examples,
      };
    });
}

/** `value` written as a TypeScript expression: single quotes, identifier keys unquoted. */
export function sourceOf(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sourceOf).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([key, item]) => `${/^[A-Za-z_$][\w$]*$/.test(key) ? key : quoted(key)}: ${sourceOf(item)}`);
    return entries.length ? `{ ${entries.join(', ')} }` : '{}';
  }
  return typeof value === 'string' ? quoted(value) : String(value);
}

function quoted(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function resolved(plugin: ContractContext, value: unknown): unknown {
  const ref = (value as JsonObject | undefined)?.$ref;
  return typeof ref === 'string' ? resolved(plugin, plugin.context.resolveRef(ref)) : value;
}
