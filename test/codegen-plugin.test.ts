import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { fixtureSpec, fixtureSpecs, generateInto, mainSpec } from './fixtures/codegen/generate.ts';

const specs = [
  ...fixtureSpecs.map((name) => ({ name, spec: fixtureSpec(name) })),
  { name: 'pizza-place', spec: mainSpec },
];

describe('hono plugin', () => {
  it.each(specs)('generates the route layer of the $name spec as in its snapshot', async ({ name, spec }) => {
    const output = await generateInto(spec, `codegen-plugin/${name}`);
    const routeLayer = await readFile(path.join(output, 'hono.gen.ts'), 'utf8');
    await expect(routeLayer).toMatchFileSnapshot(`./fixtures/codegen/__snapshots__/${name}.hono.gen.ts.snap`);
  });
});

describe.each(['operations', 'tanstack-query', 'msw'])('%s plugin', (plugin) => {
  it.each(fixtureSpecs.map((name) => ({ name, spec: fixtureSpec(name) })))('generates $name as in its snapshot', async ({ name, spec }) => {
    const output = await generateInto(spec, `codegen-plugin/${plugin}-${name}`);
    const generated = await readFile(path.join(output, `${plugin}.gen.ts`), 'utf8');
    await expect(generated).toMatchFileSnapshot(`./fixtures/codegen/__snapshots__/${name}.${plugin}.gen.ts.snap`);
  });
});
