import { $, type IR } from '@hey-api/openapi-ts';

import { isEventStream, isSecured, parameterExamples, requestBodyExample, sourceOf, specOperationOf, successAnswers } from '../contract-examples.ts';
import type { OperationsPlugin } from './types.ts';

/** How other plugins find the function of an operation: `plugin.querySymbol(operationSymbol(operation.id))`. */
export const operationSymbol = (operationId: string) => ({ category: 'sdk', resource: 'operation', resourceId: operationId, tool: 'operations' }) as const;

/**
 * Emits one function per operation of the contract, made by the SDK's `operation(route)` and typed by
 * the operation's `…Data`, `…Responses` and `…Errors`, with its documentation (summary, description,
 * `@deprecated`, an `@example` call from the contract's examples) where an editor shows it on hover.
 * Operations that answer with a stream of events (`text/event-stream`) are left out: they are not one
 * request and one answer.
 */
export const handler: OperationsPlugin['Handler'] = ({ plugin }) => {
  const operationFactory = plugin.symbol('operation', { external: plugin.config.runtime });
  const typeOf = (operation: IR.OperationObject, role: 'data' | 'errors' | 'responses') =>
    plugin.querySymbol({ category: 'type', resource: 'operation', resourceId: operation.id, role, tool: 'typescript' });

  plugin.forEach(
    'operation',
    ({ operation }) => {
      if (isEventStream(operation)) return;
      const types = (['data', 'responses', 'errors'] as const).map((role) => {
        const symbol = typeOf(operation, role);
        return symbol ? $.type(symbol) : $.type(role === 'data' ? 'never' : '{}');
      });
      plugin.node(
        $.const(plugin.symbol(operation.id, { meta: operationSymbol(operation.id) }))
          .export()
          .doc(documentation(plugin, operation))
          .assign(
            $(operationFactory)
              .call(
                $.literal(operation.id),
                $.literal(operation.method.toUpperCase()),
                $.literal(operation.path),
                $.literal(isSecured(plugin, operation)),
                ...(takesIdempotencyKey(operation) ? [$.literal(true)] : []),
              )
              .generics(...types),
          ),
      );
    },
    { order: 'declarations' },
  );
};

/** Whether the operation declares an `Idempotency-Key` header parameter. */
function takesIdempotencyKey(operation: IR.OperationObject): boolean {
  return Object.values(operation.parameters?.header ?? {}).some((parameter) => parameter.name.toLowerCase() === 'idempotency-key');
}

function documentation(plugin: Parameters<OperationsPlugin['Handler']>[0]['plugin'], operation: IR.OperationObject): string[] {
  const lines: string[] = [];
  const paragraph = (text: string | undefined) => {
    if (!text) return;
    if (lines.length) lines.push('');
    lines.push(...text.trim().split('\n'));
  };
  paragraph(operation.summary);
  paragraph(operation.description);
  paragraph(`\`${operation.method.toUpperCase()} ${operation.path}\``);
  const specOperation = specOperationOf(plugin, operation);
  if (operation.deprecated) {
    const sunset = specOperation['x-sunset'];
    lines.push('', `@deprecated${typeof sunset === 'string' ? ` It stops answering after ${sunset}.` : ''}`);
  }
  lines.push('@example', '```ts', exampleCall(plugin, operation), '```');
  return lines;
}

/** `const { data, error } = await placeOrder({ client, body: { … } });`, with the contract's examples as values. */
function exampleCall(plugin: Parameters<OperationsPlugin['Handler']>[0]['plugin'], operation: IR.OperationObject): string {
  const options: string[] = ['client'];
  for (const [group, values] of Object.entries(parameterExamples(plugin, operation))) {
    if (Object.keys(values).length) options.push(`${group}: ${sourceOf(values)}`);
  }
  const body = requestBodyExample(plugin, operation);
  if (body !== undefined) options.push(`body: ${sourceOf(body)}`);
  const answersWithBody = successAnswers(plugin, operation).some((answer) => answer.contentType);
  return `const { ${answersWithBody ? 'data, ' : ''}error } = await ${operation.id}({ ${options.join(', ')} });`;
}
