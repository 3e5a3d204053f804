/**
 * Differential test: do the generated zod validators accept exactly what the contract's schemas
 * accept? The reference is Ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1) with ajv-formats
 * asserting `format`s. For every schema under `components/schemas`, instances are drawn from the
 * schema (fast-check, fixed seed) and mutated one keyword at a time (`support/contract-instances.ts`);
 * each instance gets a verdict from Ajv, from `zX` in `generated/zod.gen.ts` (full zod, the server's)
 * and from `zX` in `generated/sdk-validation/zod.gen.ts` (`zod/mini`, the SDK's). Any verdict that
 * differs from Ajv's is a disagreement, reported with the instance and both sides' reasons.
 */
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import * as fullZod from '../generated/zod.gen.ts';
import * as miniZod from '../generated/sdk-validation/zod.gen.ts';
import { Contract, jsonCopy, type JsonSchema } from './support/contract-instances.ts';
import { spec } from './support/spec.ts';

/** Fixed, so every run checks the same instances; change it to explore, then pin what it finds. */
const SEED = 20_261_126;
/** Instances drawn from each schema, before mutation. */
const VALID_PER_SCHEMA = 50;
/** Mutations kept per (place in the instance, schema node, kind of mutation). */
const MUTATIONS_PER_PLACE_AND_KIND = 2;

const DISPUTED = '(of a drawn instance zod already refuses)';
const CONTRACT_ID = 'https://pizza-place.example/openapi/pizza-place.yaml';
const schemas: Record<string, JsonSchema> = spec.components.schemas;
const schemaNames = Object.keys(schemas);
const contract = new Contract({ components: { schemas } });

const ajv = new Ajv2020({
  allErrors: true,
  // Strict, so a misspelt keyword fails here instead of being ignored by both sides; union types
  // (`type: [string, 'null']`) are how OpenAPI 3.1 writes nullable.
  strict: true,
  strictTypes: false,
  allowUnionTypes: true,
});
// Full (not "fast") formats: date-time checks the calendar, email and uri-reference their grammar.
// ajv-formats also defines OpenAPI's int32, int64 (range checks), float, double, byte and password.
ajvFormats.default(ajv, { mode: 'full' });
// OpenAPI's own keywords, annotations for validation (`discriminator` only repeats what `oneOf` says),
// and `components`, where the root document keeps the schemas that `$ref`s point into.
ajv.addVocabulary(['example', 'discriminator', 'xml', 'externalDocs', 'components']);
ajv.addSchema({ $id: CONTRACT_ID, components: { schemas } });

type SafeParse = (data: unknown) => { success: boolean; error?: { issues: { path: PropertyKey[]; message: string; code?: string }[] } };
type ZodModule = Record<string, unknown>;

/**
 * A schema with `writeOnly` properties is request data: its request variant `zXWritable` keeps them, while the
 * plain `zX` is the response variant, which leaves them out as OpenAPI says a response does.
 */
function zodSchema(module: ZodModule, name: string): { safeParse: SafeParse } | undefined {
  const properties = Object.values((schemas[name] as { properties?: Record<string, { writeOnly?: boolean }> }).properties ?? {});
  const variant = properties.some((property) => property.writeOnly) && `z${name}Writable` in module ? `${name}Writable` : name;
  const schema = module[`z${variant}`] as { safeParse?: SafeParse } | undefined;
  return typeof schema?.safeParse === 'function' ? (schema as { safeParse: SafeParse }) : undefined;
}

/** A 32-bit seed per schema, so adding a schema does not change the instances of the others. */
function seedFor(name: string): number {
  let hash = SEED | 0;
  for (const char of name) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return hash;
}

interface Checked {
  kind: string;
  /** What the side that refuses the instance objects to, without indices: groups disagreements by cause. */
  reason: string;
  at: string;
  instance: unknown;
  ajv: boolean;
  ajvErrors: string[];
  full: boolean;
  fullIssues: string[];
  mini: boolean;
  miniIssues: string[];
}

const unique = (items: string[]) => [...new Set(items)].join(', ');

function reasonOf(ajvErrors: ErrorObject[] | null | undefined, zodResult: ReturnType<SafeParse>): string {
  if (zodResult.error) {
    return `zod refuses: ${unique(zodResult.error.issues.map((i) => `${i.code ?? i.message}${i.path.length ? ` at …/${String(i.path.at(-1))}` : ''}`))}`;
  }
  if (ajvErrors?.length) return `Ajv refuses: ${unique(ajvErrors.map((e) => e.keyword))}`;
  return 'both accept';
}

function describeAjvErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).slice(0, 4).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword} (${e.keyword} at ${e.schemaPath})`);
}

function describeZodIssues(result: ReturnType<SafeParse>): string[] {
  return (result.error?.issues ?? []).slice(0, 3).map((i) => `/${i.path.map(String).join('/')} ${i.message}${i.code ? ` (${i.code})` : ''}`);
}

const verdict = (valid: boolean) => (valid ? 'valid' : 'invalid');

function printInstance(instance: unknown): string {
  const text = JSON.stringify(instance);
  return text.length > 3000 ? `${text.slice(0, 3000)}… (${text.length} characters)` : text;
}

/** One paragraph per kind of mutation and set of verdicts, with the shortest instances as examples. */
function report(name: string, total: number, disagreements: Checked[]): string {
  const groups = new Map<string, Checked[]>();
  for (const d of disagreements) {
    const key = `${d.kind} — Ajv: ${verdict(d.ajv)}, zod: ${verdict(d.full)}, zod/mini: ${verdict(d.mini)} — ${d.reason}`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  const lines = [
    `z${name} disagrees with the contract's ${name} (Ajv) on ${disagreements.length} of ${total} instances ` +
      `(full zod: ${disagreements.filter((d) => d.full !== d.ajv).length}, zod/mini: ${disagreements.filter((d) => d.mini !== d.ajv).length}):`,
  ];
  // Mutations of instances zod already refused last: their disagreements may come from the instance, not the mutation.
  const ordered = [...groups].sort(([a], [b]) => Number(a.includes(DISPUTED)) - Number(b.includes(DISPUTED)));
  for (const [key, group] of ordered) {
    lines.push('', `● ${key} (${group.length} instance${group.length === 1 ? '' : 's'})`);
    const shortest = [...group].sort((a, b) => JSON.stringify(a.instance).length - JSON.stringify(b.instance).length);
    for (const d of shortest.slice(0, 2)) {
      lines.push(
        `    schema:   ${name}${d.at ? `, mutated at ${d.at}` : ', as drawn'}`,
        `    instance: ${printInstance(d.instance)}`,
        `    Ajv:      ${verdict(d.ajv)}${d.ajvErrors.length ? ` — ${d.ajvErrors.join('; ')}` : ''}`,
        `    zod:      ${verdict(d.full)}${d.fullIssues.length ? ` — ${d.fullIssues.join('; ')}` : ''}`,
        `    zod/mini: ${verdict(d.mini)}${d.miniIssues.length ? ` — ${d.miniIssues.join('; ')}` : ''}`,
      );
    }
  }
  return lines.join('\n');
}

const totals = { schemas: 0, instances: 0, ajvValid: 0, disagreements: 0, full: 0, mini: 0, failingSchemas: [] as string[] };

describe('generated zod validators accept exactly what the contract accepts (Ajv, JSON Schema 2020-12)', () => {
  afterAll(() => {
    const n = (value: number) => value.toLocaleString('en-US');
    console.info(
      `validator differential: checked ${n(totals.instances)} instances over ${n(totals.schemas)} schemas ` +
        `(each by Ajv, zod and zod/mini: ${n(totals.instances * 3)} verdicts; Ajv found ${n(totals.ajvValid)} valid, ` +
        `${n(totals.instances - totals.ajvValid)} invalid): ${n(totals.disagreements)} disagreements ` +
        `(zod: ${n(totals.full)}, zod/mini: ${n(totals.mini)})` +
        (totals.failingSchemas.length ? ` in ${totals.failingSchemas.join(', ')}` : ''),
    );
  });

  it.each(schemaNames)('%s', (name) => {
    const full = zodSchema(fullZod, name);
    const mini = zodSchema(miniZod, name);
    expect(full, `generated/zod.gen.ts exports no z${name}`).toBeDefined();
    expect(mini, `generated/sdk-validation/zod.gen.ts exports no z${name}`).toBeDefined();
    const validate = ajv.compile({ $ref: `${CONTRACT_ID}#/components/schemas/${name}` });
    const pointer = `#/components/schemas/${name}`;

    const check = (kind: string, at: string, instance: unknown): Checked => {
      // Each validator gets its own copy, so none can see what another did to it.
      const ajvValid = validate(jsonCopy(instance));
      const ajvErrors = describeAjvErrors(validate.errors);
      const fullResult = full!.safeParse(jsonCopy(instance));
      const miniResult = mini!.safeParse(jsonCopy(instance));
      return {
        kind, at, instance,
        reason: reasonOf(validate.errors, fullResult.success ? miniResult : fullResult),
        ajv: ajvValid, ajvErrors,
        full: fullResult.success, fullIssues: describeZodIssues(fullResult),
        mini: miniResult.success, miniIssues: describeZodIssues(miniResult),
      };
    };

    const checked: Checked[] = [];
    const seen = new Set<string>();
    const add = (kind: string, at: string, instance: unknown) => {
      const text = JSON.stringify(instance);
      if (seen.has(text)) return;
      seen.add(text);
      checked.push(check(kind, at, instance));
    };
    const drawn = fc.sample(contract.validArbitrary(pointer), { seed: seedFor(name), numRuns: VALID_PER_SCHEMA }).map(jsonCopy);
    for (const instance of drawn) add('drawn from the schema', '', instance);

    // Mutate the drawn instances all three accept first, so that a disagreement on a mutation is
    // about that mutation; instances only Ajv accepts serve for the places the others did not reach.
    const drawnChecked = checked.slice();
    const agreed = drawnChecked.filter((c) => c.ajv && c.full && c.mini);
    const disputed = drawnChecked.filter((c) => c.ajv && !(c.full && c.mini));
    const quota = new Map<string, number>();
    const wanted = (place: string, kind: string) => {
      const key = `${place}|${kind}`;
      const used = quota.get(key) ?? 0;
      if (used >= MUTATIONS_PER_PLACE_AND_KIND) return false;
      quota.set(key, used + 1);
      return true;
    };
    for (const [bases, note] of [[agreed, ''], [disputed, ` ${DISPUTED}`]] as const) {
      for (const base of bases) {
        contract.mutations(base.instance, pointer, wanted, (m) => add(`${m.kind}${note}`, m.at, m.instance));
      }
    }

    const disagreements = checked.filter((c) => c.full !== c.ajv || c.mini !== c.ajv);
    const ajvValid = checked.filter((c) => c.ajv).length;

    totals.schemas++;
    totals.instances += checked.length;
    totals.ajvValid += ajvValid;
    totals.disagreements += disagreements.length;
    totals.full += disagreements.filter((d) => d.full !== d.ajv).length;
    totals.mini += disagreements.filter((d) => d.mini !== d.ajv).length;
    if (disagreements.length) totals.failingSchemas.push(name);

    // The generator itself: both verdicts must occur, or the comparison proves little.
    expect.soft(ajvValid, `${name}: no instance was valid per Ajv; the generator cannot build this schema's instances`).toBeGreaterThan(0);
    expect.soft(checked.length - ajvValid, `${name}: no instance was invalid per Ajv; the mutations miss this schema`).toBeGreaterThan(0);
    expect(disagreements.length, report(name, checked.length, disagreements)).toBe(0);
  });
});
