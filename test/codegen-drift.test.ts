import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { routes } from '../generated/hono.gen.ts';
import { generateInto, mainSpec, readTree, repositoryRoot } from './fixtures/codegen/generate.ts';

const httpMethods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

describe('generated/', () => {
  it('is exactly what `npm run generate` produces from the spec', async () => {
    const fresh = await readTree(await generateInto(mainSpec, 'codegen-drift'));
    const committed = await readTree(path.join(repositoryRoot, 'generated'));
    expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
    for (const [file, text] of fresh) {
      expect(committed.get(file), `generated/${file} is stale; run npm run generate`).toBe(text);
    }
  });

  it('has a route for every method, path and response status of the spec, and no other', async () => {
    const spec = parse(await readFile(mainSpec, 'utf8')) as {
      paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
    };
    const documented = Object.entries(spec.paths).flatMap(([routePath, pathItem]) =>
      Object.entries(pathItem)
        .filter(([method]) => httpMethods.has(method))
        .flatMap(([method, operation]) =>
          Object.keys(operation.responses ?? {}).map((status) => `${method.toUpperCase()} ${routePath} ${status}`),
        ),
    );
    const generated = Object.values(routes).flatMap((route) =>
      Object.keys(route.responses).map((status) => `${route.method.toUpperCase()} ${route.path} ${status}`),
    );
    expect(generated.sort()).toEqual(documented.sort());
  });
});
