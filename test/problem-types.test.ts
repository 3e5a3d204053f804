import { describe, expect, it } from 'vitest';
import { problemTypes, problemTypeUri, type ProblemType } from '../server/problem-types.ts';
import { resolve, spec, type Json } from './support/spec.ts';

const catalogue = Object.entries(problemTypes) as Array<[ProblemType, (typeof problemTypes)[ProblemType]]>;

/** The `type` values a problem schema declares, through `$ref`s and `allOf`. */
function declaredTypes(schema: Json): string[] {
  const resolved = resolve(schema);
  const own: string[] = resolved.properties?.type?.enum ?? [];
  return [...own, ...(resolved.allOf ?? []).flatMap((part: Json) => declaredTypes(part))];
}

describe('the problem types: one catalogue the server, the contract and its examples share', () => {
  const problemResponses = Object.entries(spec.components.responses as Record<string, Json>).filter(([, response]) => response.content?.['application/problem+json']);

  it.each(problemResponses.map(([name, response]) => [name, response] as const))('%s declares exactly the problem types the server answers with there', (name, response) => {
    const catalogueName = name === 'MenuItemNotFound' ? 'NotFound' : name;
    const expected = catalogue.filter(([, entry]) => entry.response === catalogueName).map(([type]) => problemTypeUri(type));
    expect(expected.length, `the catalogue has no type for ${name}`).toBeGreaterThan(0);
    expect(declaredTypes(response.content['application/problem+json'].schema).sort()).toEqual(expected.sort());
  });

  it('gives every problem example a type, title and status of the catalogue', () => {
    const examples = Object.entries(spec.components.examples as Record<string, Json>).filter(([, example]) => typeof example.value?.type === 'string' && example.value.type.includes('/problems/'));
    expect(examples.length).toBeGreaterThan(10);
    for (const [name, { value }] of examples) {
      const entry = catalogue.find(([type]) => problemTypeUri(type) === value.type);
      expect(entry, `${name}: ${value.type} is not in the catalogue`).toBeDefined();
      expect({ name, title: value.title, status: value.status }).toEqual({ name, title: entry![1].title, status: entry![1].status });
    }
  });
});
