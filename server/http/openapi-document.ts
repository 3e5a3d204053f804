import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const contractUrl = new URL('../../openapi/pizza-place.yaml', import.meta.url);

/** The contract as JSON text, read and converted once. */
export function loadOpenApiDocument(): string {
  return JSON.stringify(parse(readFileSync(contractUrl, 'utf8')));
}
