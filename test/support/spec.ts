import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { specPath } from './prism.ts';

/** The contract as plain data, for tests that walk every operation. */
export type Json = Record<string, any>;

export const spec: Json = parse(readFileSync(specPath, 'utf8'));

export const httpMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface SpecOperation {
  operationId: string;
  method: (typeof httpMethods)[number];
  path: string;
  operation: Json;
  /** Path-level and operation-level parameters, `$ref`s resolved. */
  parameters: Json[];
  secured: boolean;
}

/** Follows a local `$ref` (`#/components/...`) until it reaches a value. */
export function resolve<T = Json>(node: Json): T {
  let current = node;
  while (current && typeof current.$ref === 'string') {
    const pointer = current.$ref.replace(/^#\//, '').split('/');
    current = pointer.reduce<Json>((value, key) => value?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
    if (current === undefined) throw new Error(`unresolvable $ref ${node.$ref}`);
  }
  return current as T;
}

export function operations(): SpecOperation[] {
  const result: SpecOperation[] = [];
  for (const [path, item] of Object.entries<Json>(spec.paths ?? {})) {
    for (const method of httpMethods) {
      const operation = item[method];
      if (!operation) continue;
      const byKey = new Map<string, Json>();
      for (const raw of [...(item.parameters ?? []), ...(operation.parameters ?? [])]) {
        const parameter = resolve(raw);
        byKey.set(`${parameter.in}:${parameter.name}`, parameter);
      }
      const security = operation.security ?? spec.security ?? [];
      result.push({
        operationId: operation.operationId,
        method,
        path,
        operation,
        parameters: [...byKey.values()],
        secured: security.length > 0 && security.some((requirement: Json) => Object.keys(requirement).length > 0),
      });
    }
  }
  return result;
}

/** The value of a named-or-first example of a media type or parameter. */
export function exampleOf(holder: Json, name?: string): unknown {
  if (holder.examples && !Array.isArray(holder.examples)) {
    const entries = Object.entries<Json>(holder.examples);
    const entry = name ? entries.find(([key]) => key === name) : entries[0];
    if (entry) return resolve(entry[1]).value;
  }
  if ('example' in holder) return holder.example;
  const schema = holder.schema ? resolve(holder.schema) : undefined;
  if (schema && Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  return undefined;
}

/** The lowest documented 2xx status of an operation and its response object. */
export function successResponse(operation: Json): { status: number; response: Json } {
  const status = Object.keys(operation.responses)
    .filter((code) => /^2\d\d$/.test(code))
    .map(Number)
    .sort((a, b) => a - b)[0];
  if (status === undefined) throw new Error(`${operation.operationId} documents no 2xx response`);
  return { status, response: resolve(operation.responses[String(status)]) };
}
