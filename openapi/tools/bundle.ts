/**
 * Writes `dist/openapi.json`: the contract as one JSON document, what `@pizza-place/api/openapi.json` exports for
 * tools that do not read YAML. Every `$ref` must point inside the document; an external one stops the build.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';

const contract: unknown = parse(readFileSync('openapi/pizza-place.yaml', 'utf8'));

function externalRefs(node: unknown, path = '#'): string[] {
  if (Array.isArray(node)) return node.flatMap((item, index) => externalRefs(item, `${path}/${index}`));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string' && !value.startsWith('#') ? [`${path}: ${value}`] : externalRefs(value, `${path}/${key}`),
  );
}

const external = externalRefs(contract);
if (external.length > 0) throw new Error(`the contract refers outside itself; bundle these first:\n${external.join('\n')}`);
mkdirSync('dist', { recursive: true });
writeFileSync('dist/openapi.json', `${JSON.stringify(contract, null, 2)}\n`);
