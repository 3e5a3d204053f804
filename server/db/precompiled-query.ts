import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import { dialectOf, type DialectName } from './dialect.ts';
import type { Database } from './tables.ts';

const placeholderPrefix = '\u0000placeholder:';

type Parameter<Values> = { key: keyof Values } | { constant: unknown };

/**
 * A query of fixed shape, built and compiled once per dialect and then run with new values. Kysely builds
 * and compiles a query anew on every call, which for a join costs more than SQLite takes to run it.
 *
 * `build` receives stand-ins for `values`; each must reach Kysely as a value as it is (a `where` operand,
 * an inserted value), not be looked at or transformed, and the query's shape must not depend on it.
 * Lists whose length varies (`in`, multi-row inserts) change the shape, so they do not belong here.
 */
export function precompiledQuery<Values extends object, Result>(
  build: (db: Kysely<Database>, values: Values) => Compilable<Result>,
): PrecompiledQuery<Values, Result> {
  const templates = new Map<DialectName, { query: CompiledQuery<Result>; parameters: Array<Parameter<Values>> }>();

  function templateFor(db: Kysely<Database>, dialect: DialectName) {
    const standIns = new Proxy({}, { get: (_, key) => `${placeholderPrefix}${String(key)}` }) as Values;
    const query = build(db, standIns).compile();
    const parameters = query.parameters.map((parameter): Parameter<Values> =>
      typeof parameter === 'string' && parameter.startsWith(placeholderPrefix)
        ? { key: parameter.slice(placeholderPrefix.length) as keyof Values }
        : { constant: parameter },
    );
    const template = { query, parameters };
    templates.set(dialect, template);
    return template;
  }

  function compile(db: Kysely<Database>, values: Values): CompiledQuery<Result> {
    const dialect = dialectOf(db);
    const { query, parameters } = templates.get(dialect) ?? templateFor(db, dialect);
    const bound = parameters.map((parameter) => ('key' in parameter ? values[parameter.key] : parameter.constant));
    return { ...query, parameters: bound };
  }

  return Object.assign(async (db: Kysely<Database>, values: Values) => (await db.executeQuery<Result>(compile(db, values))).rows, { compile });
}

export interface PrecompiledQuery<Values, Result> {
  /** Runs the query with `values`; its rows. */
  (db: Kysely<Database>, values: Values): Promise<Result[]>;
  /** The query with `values` bound, to run later or together with others (`executeTogether`). */
  compile(db: Kysely<Database>, values: Values): CompiledQuery<Result>;
}
