/**
 * Contract-driven fuzzing of the real server, on SQLite and PostgreSQL. For every operation of the
 * contract, requests are built from the contract alone and sent in-process under each auth state that
 * matters: valid ones (parameters and bodies drawn from their schemas, with ids swapped for existing
 * resources often enough that some succeed) and ones broken in one place (a body mutated at one keyword,
 * a parameter that breaks its schema, a missing required header, malformed JSON, a media type the
 * operation does not take, a bad access token). Every answer must:
 *
 * - be below 500, with a status the operation declares;
 * - for a 4xx, be an `application/problem+json` Problem whose `status` is the HTTP status;
 * - have a JSON body (any status) that Ajv finds valid under the schema the contract gives that status and media type;
 * - never be a 2xx to a request the contract forbids.
 *
 * "Forbids" is not the generator's intention but a verdict on what was actually sent: Ajv (JSON Schema
 * 2020-12, the dialect of OpenAPI 3.1) on each parameter and on the body, plus the contract's `required`
 * flags, media types and `security`. A mutation that happens to stay valid is sent and checked, but a
 * 2xx to it is no failure.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashPassword } from '../server/accounts/password.ts';
import { signAccessToken } from '../server/auth/jwt.ts';
import { toTimestamp } from '../server/db/dialect.ts';
import { newId } from '../server/db/ids.ts';
import { seededIds } from '../server/db/seed.ts';
import { recordEvents, webhookEvent } from '../server/webhooks/outbox.ts';
import { insertDeliveries } from '../server/webhooks/webhook-repository.ts';
import { useTestApp, type TestApp } from './support/app.ts';
import { Contract, type JsonSchema, type Mutation } from './support/contract-instances.ts';
import { describeEachDatabase, type DatabaseKind } from './support/database.ts';
import { placeOrder, placePaidOrder } from './support/orders.ts';
import { operations, resolve, spec } from './support/spec.ts';

/** Fixed, so every run sends the same requests; change it to explore, then pin what it finds. */
const SEED = 20_261_201;
/** Valid requests per operation and auth state. */
const VALID_PER_AUTH_STATE = 12;
/** Body mutations per operation, spread over the kinds of mutation before any kind gets a second one. */
const BODY_MUTATIONS_PER_OPERATION = 80;
/**
 * How many times the counts above an operation gets when its requests cost no password hash (a tenth of a second
 * or more each): the volume that takes the pass past 10,000 requests in about a minute per database.
 */
const VOLUME = 5;
/** Operations whose requests hash or check a password: half the valid requests above, the mutations as they are. */
const passwordOperations = new Set(['registerCustomer', 'issueToken', 'changePassword']);
/** Drawn bodies whose every place gets mutated (a second and third reach places the first lacks). */
const MUTATION_BASES = 3;
const TIMEOUT_MS = 30_000;
/** Limits high enough that the fuzzing reaches the handlers instead of 429. */
const NO_RATE_LIMITS = {
  RATE_LIMIT_PER_MINUTE: '1000000',
  TOKEN_RATE_LIMIT_PER_MINUTE: '1000000',
  SIGN_IN_ACCOUNT_FAILURES: '1000000',
  SIGN_IN_CLIENT_FAILURES: '1000000',
};

// ---------------------------------------------------------------- the contract's operations

type AuthState = 'anonymous' | 'customer' | 'other customer' | 'staff' | 'bad credentials';
type Location = 'path' | 'query' | 'header';

interface Parameter {
  name: string;
  in: Location;
  required: boolean;
  /** Where its schema is in `document`, for `Contract` and Ajv alike. */
  pointer: string;
}

interface FuzzedOperation {
  id: string;
  method: string;
  path: string;
  /** The keys of `responses`: statuses, ranges such as `4XX`, or `default`. */
  responses: string[];
  parameters: Parameter[];
  body?: { pointer: string; required: boolean; mediaTypes: string[] };
  secured: boolean;
  /** Roles its `security` names; empty when any signed-in caller may call it. */
  roles: string[];
  /** Takes an order by id: a customer's own, not another's. */
  ownedOrder: boolean;
  /** A success may use its resource up (cancel, pay, advance, retire), so the next request gets a fresh one. */
  consumes: boolean;
}

const parameterSchemas: Record<string, JsonSchema> = {};
const bodySchemas: Record<string, JsonSchema> = {};

const fuzzedOperations: FuzzedOperation[] = operations().map((op) => {
  const parameters = op.parameters.map((parameter): Parameter => {
    const key = `${op.operationId}.${parameter.in}.${parameter.name}`;
    parameterSchemas[key] = parameter.schema;
    return { name: parameter.name, in: parameter.in, required: parameter.required === true, pointer: `#/components/parameterSchemas/${key}` };
  });
  const requestBody = op.operation.requestBody ? resolve(op.operation.requestBody) : undefined;
  if (requestBody) bodySchemas[op.operationId] = requestBody.content['application/json'].schema;
  const security: Array<Record<string, string[]>> = op.operation.security ?? spec.security ?? [];
  return {
    id: op.operationId,
    method: op.method.toUpperCase(),
    path: op.path,
    responses: Object.keys(op.operation.responses),
    parameters,
    ...(requestBody && {
      body: {
        pointer: `#/components/bodySchemas/${op.operationId}`,
        required: requestBody.required === true,
        mediaTypes: Object.keys(requestBody.content).map((type) => type.toLowerCase()),
      },
    }),
    secured: op.secured,
    roles: [...new Set(security.flatMap((requirement) => requirement.bearerAuth ?? []))],
    ownedOrder: parameters.some((parameter) => parameter.in === 'path' && parameter.name === 'orderId'),
    consumes: op.method === 'delete' || (op.method === 'post' && parameters.some((parameter) => parameter.in === 'path')),
  };
});

/** Each operation's JSON response schemas, by `operationId status mediaType`, to check every answer's body. */
const responseSchemas: Record<string, JsonSchema> = {};
for (const op of operations()) {
  for (const [status, response] of Object.entries(op.operation.responses as Record<string, object>)) {
    for (const [mediaType, content] of Object.entries((resolve(response) as { content?: Record<string, { schema?: JsonSchema }> }).content ?? {})) {
      if (content.schema && /json$/.test(mediaType)) responseSchemas[`${op.operationId} ${status.toUpperCase()} ${mediaType}`] = content.schema;
    }
  }
}

/** One document for both sides: the contract's schemas, plus each parameter's, request body's and response's schema under a name. */
const document = { components: { schemas: spec.components.schemas, parameterSchemas, bodySchemas, responseSchemas } };
const contract = new Contract(document);

const CONTRACT_ID = 'https://pizza-place.example/openapi/pizza-place.yaml';
const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });
ajvFormats.default(ajv, { mode: 'full' });
ajv.addVocabulary(['example', 'discriminator', 'xml', 'externalDocs', 'components']);
ajv.addSchema({ $id: CONTRACT_ID, ...document });
const validators = new Map<string, ValidateFunction>();

/** What Ajv holds against `value` under the schema at `pointer`; empty when it is valid. */
function schemaObjections(pointer: string, value: unknown): string[] {
  let validate = validators.get(pointer);
  if (!validate) validators.set(pointer, (validate = ajv.compile({ $ref: `${CONTRACT_ID}${pointer}` })));
  if (validate(value)) return [];
  return (validate.errors ?? []).slice(0, 2).map((error) => `${error.instancePath || '/'} ${error.message ?? error.keyword}`);
}

function typesOf(parameter: Parameter): string[] {
  return [contract.resolve(parameter.pointer).node.type].flat();
}

function isNumeric(parameter: Parameter): boolean {
  const types = typesOf(parameter);
  return types.includes('integer') || types.includes('number');
}

/**
 * A parameter arrives as text. For a numeric schema the test reads a number only from the text JSON
 * writes for it (`5`, not `05`, `+5`, `5.0`, `0x10` or `1e1`); any other text stays a string and fails
 * the schema's type.
 */
function decodeParameter(parameter: Parameter, text: string): unknown {
  const types = typesOf(parameter);
  // A boolean is read from the text JSON writes for it (`true`, `false`) and nothing else.
  if (types.includes('boolean')) return text === 'true' ? true : text === 'false' ? false : text;
  if (!types.includes('integer') && !types.includes('number')) return text;
  const number = Number(text);
  return Number.isFinite(number) && JSON.stringify(number) === text ? number : text;
}

function declares(op: FuzzedOperation, status: number): boolean {
  const keys = op.responses.map((key) => key.toUpperCase());
  return keys.includes(String(status)) || keys.includes(`${String(status)[0]}XX`) || keys.includes('DEFAULT');
}

// ---------------------------------------------------------------- randomness

/** A 32-bit seed per name, so adding an operation does not change the requests of the others. */
function seedFor(...names: string[]): number {
  let hash = SEED | 0;
  for (const char of names.join('|')) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return hash;
}

/** mulberry32: small, fast and deterministic; enough to choose between drawn values. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// ---------------------------------------------------------------- the world a test fuzzes in

const owner = { email: 'owner@fuzz.example', password: 'correct horse battery staple', name: 'Fuzz Owner' };
const otherCustomer = { email: 'other@fuzz.example', password: 'another horse battery staple', name: 'Fuzz Other' };
const paymentTokens = ['tok_visa', 'tok_mastercard', 'tok_chargeDeclined', 'tok_insufficientFunds'];
const newMenuItem = {
  name: 'Fuzz special',
  description: 'Made for one request.',
  category: 'pizza',
  sizes: [{ size: 'medium', price: { amount: 1000, currency: 'USD' } }],
  recipes: [{ size: 'medium', ingredients: [{ ingredientId: seededIds.ingredients.dough, quantity: 250 }] }],
};

/** A resource a request can succeed on, made when first asked for and again after a request used it up. */
interface ResourceSource {
  current(): Promise<string>;
  usedUp(): void;
}

function resourceSource(make: () => Promise<string>): ResourceSource {
  let id: Promise<string> | undefined;
  return { current: () => (id ??= make()), usedUp: () => void (id = undefined) };
}

interface Fuzzer {
  app: TestApp;
  op: FuzzedOperation;
  random: () => number;
  tokens: Partial<Record<AuthState, string>>;
  /** The sizes each menu item comes in, and each category of the seeded menu. */
  sizes: Map<string, string[]>;
  sizesByCategory: Map<string, string[]>;
  /** Parameter values known to mean something to the server: a real cursor, the current ETag. */
  known: Map<string, string[]>;
  existing: Map<string, ResourceSource>;
  pools: Map<string, unknown[]>;
  /** How many values of each once-only pool are used. */
  used: Map<string, number>;
}

async function json<T>(response: Response, expected: number, what: string): Promise<T> {
  if (response.status !== expected) throw new Error(`${what} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** A webhook subscription with two deliveries queued for it, as the delivery worker would queue them (none runs here). */
async function webhookSubscription(app: TestApp, staff: string): Promise<{ subscriptionId: string; deliveryIds: string[] }> {
  const created = await app.request('/webhooks/subscriptions', { method: 'POST', token: staff, json: { url: 'https://kitchen.pizza-place.example/hooks', events: ['stock.low'] } });
  const subscriptionId = (await json<{ id: string }>(created, 201, 'creating a webhook subscription')).id;
  const events = [1, 2].map(() =>
    webhookEvent('stock.low', { id: seededIds.ingredients.basil, name: 'Fresh basil', unit: 'g', stockLevel: 10, lowStockThreshold: 100, lowStock: true }),
  );
  await recordEvents(app.db, events);
  const deliveryIds = events.map(() => newId('dlv'));
  const now = toTimestamp(new Date());
  await insertDeliveries(
    app.db,
    events.map((event, i) => ({ id: deliveryIds[i]!, subscription_id: subscriptionId, event_id: event.id, event_type: event.type, next_attempt_at: now })),
  );
  return { subscriptionId, deliveryIds };
}

/** The subscription made last for each app: a `deliveryId` is one of its deliveries, so a path names both of one subscription. */
const latestSubscription = new WeakMap<TestApp, Promise<{ subscriptionId: string; deliveryIds: string[] }>>();

/** The order made last for each app: a `paymentId` is one of its payments, so a path names both of one order. */
const latestPaidOrder = new WeakMap<TestApp, string>();

/** Makes the resources an operation's path needs, keyed by parameter name. */
function existingResource(app: TestApp, op: FuzzedOperation, tokens: Fuzzer['tokens'], name: string): () => Promise<string> {
  switch (name) {
    case 'itemId':
      if (!op.consumes) return async () => seededIds.items.margherita;
      return async () => {
        const created = await app.request('/menu/items', { method: 'POST', token: tokens.staff, json: newMenuItem });
        return (await json<{ id: string }>(created, 201, 'creating a menu item')).id;
      };
    case 'orderId':
      // Only an order awaiting payment can be paid; every other operation is fine with a paid one.
      return async () => {
        const order = await (op.id === 'payOrder' ? placeOrder(app, tokens.customer!) : placePaidOrder(app, tokens.customer!));
        latestPaidOrder.set(app, order.id);
        return order.id;
      };
    case 'paymentId':
      // A payment of the order the same path names.
      return async () => {
        const orderId = latestPaidOrder.get(app) ?? (await placePaidOrder(app, tokens.customer!)).id;
        const payments = await app.request(`/orders/${orderId}/payments`, { token: tokens.staff });
        return (await json<{ data: Array<{ id: string }> }>(payments, 200, 'listing payments')).data[0]!.id;
      };
    case 'ingredientId':
      return async () => {
        const created = await app.request('/inventory/ingredients', { method: 'POST', token: tokens.staff, json: { name: `Fuzz ${newId('ing')}`, unit: 'g', lowStockThreshold: 10 } });
        return (await json<{ id: string }>(created, 201, 'creating an ingredient')).id;
      };
    case 'subscriptionId':
      return async () => {
        const made = webhookSubscription(app, tokens.staff!);
        latestSubscription.set(app, made);
        return (await made).subscriptionId;
      };
    case 'deliveryId':
      return async () => {
        const made = latestSubscription.get(app) ?? webhookSubscription(app, tokens.staff!);
        latestSubscription.set(app, made);
        return (await made).deliveryIds[0]!;
      };
    default:
      throw new Error(`${op.id}: no way to make an existing ${name}`);
  }
}

/** Fills the list an operation pages through with two entries, so that a real cursor exists. */
async function fillList(app: TestApp, op: FuzzedOperation, tokens: Fuzzer['tokens']): Promise<void> {
  if (op.id === 'listOrders') {
    for (let i = 0; i < 2; i++) await placeOrder(app, tokens.customer!);
  } else if (op.id === 'listWebhookSubscriptions') {
    for (let i = 0; i < 2; i++) await webhookSubscription(app, tokens.staff!);
  } else if (op.id === 'listStockAdjustments') {
    for (let i = 0; i < 2; i++) {
      const body = { ingredientId: seededIds.ingredients.basil, delta: 10, reason: 'restock' };
      await json(await app.request('/inventory/adjustments', { method: 'POST', token: tokens.staff, json: body }), 201, 'recording a stock adjustment');
    }
  }
}

function primaryAuth(op: FuzzedOperation): AuthState {
  if (op.roles.length > 0) return op.roles.includes('customer') ? 'customer' : 'staff';
  return op.secured ? 'customer' : 'anonymous';
}

function authStates(op: FuzzedOperation): AuthState[] {
  return ['anonymous', 'customer', ...(op.ownedOrder ? ['other customer' as const] : []), 'staff'];
}

/** Password hashes made once per run: hashing (a tenth of a second or more) for every operation's accounts would take most of the run. */
const passwordHashes = new Map<string, Promise<string>>();

/**
 * An access token for `customer`, stored with its password as registering would store it (so signing in with it
 * works), and signed as signing in would sign it, without a password hash per operation.
 */
async function customerToken(app: TestApp, customer: typeof owner): Promise<string> {
  let hash = passwordHashes.get(customer.password);
  if (!hash) passwordHashes.set(customer.password, (hash = hashPassword(customer.password)));
  const id = newId('usr');
  await app.db.insertInto('users').values({ id, email: customer.email, name: customer.name, password_hash: await hash, role: 'customer' }).execute();
  return signAccessToken({ id, role: 'customer', tokenVersion: 0 }, app.config.jwt).token;
}

async function prepare(app: TestApp, op: FuzzedOperation): Promise<Fuzzer> {
  const staff = signAccessToken({ id: seededIds.staff, role: 'staff', tokenVersion: 0 }, app.config.jwt).token;
  const tokens: Fuzzer['tokens'] = { staff, customer: await customerToken(app, owner) };
  if (op.ownedOrder) tokens['other customer'] = await customerToken(app, otherCustomer);

  const menu = await json<{ data: Array<{ id: string; category: string; sizes: Array<{ size: string }> }> }>(await app.request('/menu/items'), 200, 'listing the menu');
  const sizes = new Map(menu.data.map((item) => [item.id, item.sizes.map((s) => s.size)]));
  const sizesByCategory = new Map<string, string[]>();
  for (const item of menu.data) sizesByCategory.set(item.category, [...new Set([...(sizesByCategory.get(item.category) ?? []), ...sizes.get(item.id)!])]);

  const existing = new Map<string, ResourceSource>();
  for (const parameter of op.parameters) {
    if (parameter.in === 'path') existing.set(parameter.name, resourceSource(existingResource(app, op, tokens, parameter.name)));
  }
  const fuzzer: Fuzzer = { app, op, random: randomSource(seedFor(op.id)), tokens, sizes, sizesByCategory, known: new Map(), existing, pools: new Map(), used: new Map() };

  const names = new Set(op.parameters.map((parameter) => parameter.name));
  if (op.method === 'GET' && (names.has('cursor') || names.has('If-None-Match'))) {
    await fillList(app, op, tokens);
    const path = await resolvePath(fuzzer, Object.fromEntries([...existing.keys()].map((name) => [name, null])));
    const token = tokens[primaryAuth(op)];
    const page = await app.request(`${path.url}${names.has('limit') ? '?limit=1' : ''}`, { token });
    if (page.status !== 200) throw new Error(`${op.id} answered ${page.status} to a plain request: ${await page.text()}`);
    const etag = page.headers.get('ETag');
    if (etag) fuzzer.known.set('If-None-Match', [etag]);
    if (names.has('cursor')) {
      const { nextCursor } = (await page.json()) as { nextCursor: string | null };
      if (nextCursor) fuzzer.known.set('cursor', [nextCursor]);
    }
  }
  return fuzzer;
}

function pick<T>(fuzzer: Fuzzer, values: readonly T[]): T {
  return values[Math.floor(fuzzer.random() * values.length)]!;
}

/** Values drawn from the schema at `pointer` (fixed seed), drawn once per test; `unique` ones for a once-only value. */
function pool(fuzzer: Fuzzer, pointer: string, count = 40, unique = false): unknown[] {
  const key = `${pointer}${unique ? ' (unique)' : ''}`;
  let values = fuzzer.pools.get(key);
  if (!values) {
    const seed = seedFor(fuzzer.op.id, key);
    values = unique
      ? fc.sample(fc.uniqueArray(contract.validArbitrary(pointer), { minLength: count, maxLength: count }), { seed, numRuns: 1 })[0]!
      : fc.sample(contract.validArbitrary(pointer), { seed, numRuns: count });
    fuzzer.pools.set(key, values);
  }
  return values;
}

/**
 * A drawn body made likelier to succeed: ids swapped for seeded ones, sizes an item (or a category) comes
 * in, the server's currency, small quantities, known payment tokens, the next status of a freshly paid
 * order, the owner's credentials. Each swap happens with `chance` (the owner's credentials half as often)
 * and keeps the body valid; the verdict comes from Ajv anyway.
 */
function realistic(fuzzer: Fuzzer, value: unknown, chance = 0.8): unknown {
  if (Array.isArray(value)) return value.map((element) => realistic(fuzzer, element, chance));
  if (value === null || typeof value !== 'object') return value;
  const often = () => fuzzer.random() < chance;
  const result: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (key === 'itemId' && often()) result[key] = pick(fuzzer, Object.values(seededIds.items));
    else if (key === 'ingredientId' && often()) result[key] = pick(fuzzer, Object.values(seededIds.ingredients));
    else if (key === 'paymentMethodToken' && often()) result[key] = pick(fuzzer, paymentTokens);
    else if (key === 'quantity' && often()) result[key] = 1 + Math.floor(fuzzer.random() * 3);
    else if (key === 'currency' && often()) result[key] = fuzzer.app.config.pricing.currency;
    else if (key === 'status' && often()) result[key] = 'preparing';
    else if (key === 'toppings' && Array.isArray(member)) result[key] = member.map((id) => (often() ? pick(fuzzer, Object.values(seededIds.toppings)) : id));
    else result[key] = realistic(fuzzer, member, chance);
  }
  const sizes = typeof result.itemId === 'string' ? fuzzer.sizes.get(result.itemId) : undefined;
  if (sizes && 'size' in result && often()) result.size = pick(fuzzer, sizes);
  if (Array.isArray(result.sizes) && often()) {
    // A patch has no category: it is for the seeded margherita, a pizza.
    const allowed = fuzzer.sizesByCategory.get(typeof result.category === 'string' ? result.category : 'pizza') ?? [];
    result.sizes = result.sizes.slice(0, allowed.length).map((entry, i) => ({ ...(entry as object), size: allowed[i] }));
  }
  if ('email' in result && 'password' in result && fuzzer.random() < chance / 2) Object.assign(result, { email: owner.email, password: owner.password });
  return result;
}

// ---------------------------------------------------------------- requests

interface Planned {
  kind: 'valid' | 'mutated';
  /** `drawn from the contract`, or what was broken. */
  what: string;
  auth: AuthState;
  /** The whole Authorization header, sent instead of the auth state's token. */
  authorization?: string;
  /** Path parameter values; `null` means an existing resource. */
  path: Record<string, string | null>;
  query: Array<[string, string]>;
  headers: Array<[string, string]>;
  body?: { text: string; contentType?: string };
  /** The path or query parameter whose value goes into the URL as it is, not percent-encoded. */
  unencoded?: string;
}

/** Headers whose value names one request: a repeated Idempotency-Key replays (or refuses) instead of acting. */
const onceOnly = new Set(['Idempotency-Key']);

/** Body members an operation can take only once: an email, once registered, is taken. */
const freshMembers: Record<string, Record<string, (n: number) => string>> = {
  registerCustomer: { email: (n) => `customer-${n}@fuzz.example` },
};

function drawnValue(fuzzer: Fuzzer, parameter: Parameter): string {
  if (onceOnly.has(parameter.name)) {
    const used = fuzzer.used.get(parameter.pointer) ?? 0;
    fuzzer.used.set(parameter.pointer, used + 1);
    return String(pool(fuzzer, parameter.pointer, 500, true)[used]);
  }
  const known = fuzzer.known.get(parameter.name);
  if (known && fuzzer.random() < 0.5) return pick(fuzzer, known);
  return String(pick(fuzzer, pool(fuzzer, parameter.pointer)));
}

const jsonMediaTypes = ['application/json', 'application/json', 'application/json; charset=utf-8', 'Application/JSON'];

/**
 * A valid request: existing resources or drawn ids in the path, drawn parameters, `body()` as its body.
 * `plain`: existing resources, only the required parameters, always the body, as `application/json`.
 */
function drawnRequest(fuzzer: Fuzzer, auth: AuthState, body: () => unknown, plain = false): Planned {
  const { op } = fuzzer;
  const planned: Planned = { kind: 'valid', what: 'drawn from the contract', auth, path: {}, query: [], headers: [] };
  for (const parameter of op.parameters) {
    if (parameter.in === 'path') {
      planned.path[parameter.name] = plain || fuzzer.random() < 0.75 ? null : String(pick(fuzzer, pool(fuzzer, parameter.pointer)));
    } else if (parameter.required || (!plain && fuzzer.random() < 0.5)) {
      (parameter.in === 'query' ? planned.query : planned.headers).push([parameter.name, drawnValue(fuzzer, parameter)]);
    }
  }
  if (op.body && (plain || op.body.required || fuzzer.random() < 0.7)) {
    planned.body = { text: JSON.stringify(body()), contentType: plain ? 'application/json' : pick(fuzzer, jsonMediaTypes) };
  }
  return planned;
}

function validRequests(fuzzer: Fuzzer): Planned[] {
  const { op } = fuzzer;
  const states = authStates(op);
  const perState = passwordOperations.has(op.id) ? VALID_PER_AUTH_STATE / 2 : VALID_PER_AUTH_STATE * VOLUME;
  // The first bodies drawn are the bases of the mutations.
  let drawn = MUTATION_BASES;
  const body = () => realistic(fuzzer, pool(fuzzer, op.body!.pointer, MUTATION_BASES + states.length * perState)[drawn++]);
  return states.flatMap((auth) => Array.from({ length: perState }, () => drawnRequest(fuzzer, auth, body)));
}

/** Whether a header value can be sent at all (`Headers` refuses NUL, CR, LF and anything beyond Latin-1). */
function sendable(name: string, value: string): boolean {
  try {
    new Headers([[name, value]]);
    return true;
  } catch {
    return false;
  }
}

/** Texts that spell a number the way JSON never does, or no number at all. */
const nonCanonicalNumbers = ['05', '+5', '0x10', '1e1', '5.0', '-0', ' 5', '5 ', '1_000', 'NaN', 'Infinity', '99999999999999999999', ''];

/** Texts put into a URL as they are: what a careless or hostile client sends. */
const unencodedTexts: Array<[string, (base: string) => string]> = [
  ['malformed percent-encoding', (base) => `${base}%E0%A4%A`],
  ['percent-encoded NUL', (base) => `${base}%00`],
  ['percent-encoded slash', (base) => `${base}%2Fx`],
];

interface ParameterMutation {
  what: string;
  /** The values sent (several: a repeated query parameter); undefined: the parameter left out. */
  values: string[] | undefined;
  unencoded?: boolean;
}

/** Values that break a parameter's schema (or try to): its schema's one-keyword mutations, written as text, and a few by hand. */
function parameterMutations(fuzzer: Fuzzer, parameter: Parameter): ParameterMutation[] {
  const base = String(pool(fuzzer, parameter.pointer)[0]);
  const found = new Map<string, ParameterMutation>();
  const add = (what: string, values: string[] | undefined, unencoded = false) => {
    if (values?.some((value) => parameter.in === 'header' && !sendable(parameter.name, value))) return;
    const key = JSON.stringify([values ?? null, unencoded]);
    if (!found.has(key)) found.set(key, { what, values, unencoded });
  };
  if (parameter.required && parameter.in !== 'path') add('missing', undefined);
  contract.mutations(isNumeric(parameter) ? Number(base) : base, parameter.pointer, () => true, (mutation) => {
    const value = mutation.instance;
    if (Array.isArray(value)) {
      if (parameter.in === 'query') add(`${mutation.kind} (repeated)`, [base, base]);
    } else if (value === null || typeof value !== 'object') {
      add(mutation.kind, [String(value)]);
    }
  });
  const byHand = isNumeric(parameter)
    ? nonCanonicalNumbers.map((text): [string, string] => [`non-canonical number ${JSON.stringify(text)}`, text])
    : ([['empty', ''], ['non-ASCII character', `${base}é`], ['5,000 characters', 'x'.repeat(5_000)]] as Array<[string, string]>);
  for (const [what, text] of byHand) add(what, [text]);
  if (parameter.in !== 'header') for (const [what, make] of unencodedTexts) add(`${what}, unencoded`, [make(base)], true);
  return [...found.values()];
}

/** Body mutations of a few drawn bodies, one per place and kind, taken a kind at a time. */
function bodyMutations(fuzzer: Fuzzer, bases: unknown[]): Mutation[] {
  const pointer = fuzzer.op.body!.pointer;
  const byKind = new Map<string, Mutation[]>();
  const placesTried = new Set<string>();
  const seen = new Set<string>();
  const wanted = (place: string, kind: string) => !placesTried.has(`${place}|${kind}`) && Boolean(placesTried.add(`${place}|${kind}`));
  for (const base of bases) {
    contract.mutations(base, pointer, wanted, (mutation) => {
      const text = JSON.stringify(mutation.instance);
      if (seen.has(text)) return;
      seen.add(text);
      byKind.set(mutation.kind, [...(byKind.get(mutation.kind) ?? []), mutation]);
    });
  }
  const chosen: Mutation[] = [];
  for (let round = 0; chosen.length < BODY_MUTATIONS_PER_OPERATION; round++) {
    const taken = [...byKind.values()].flatMap((list) => list.slice(round, round + 1));
    if (taken.length === 0) break;
    chosen.push(...taken.slice(0, BODY_MUTATIONS_PER_OPERATION - chosen.length));
  }
  return chosen;
}

/** Bodies broken as a whole: not JSON, not the media type the operation takes, too big, or missing. */
function wholeBodyMutations(fuzzer: Fuzzer, base: unknown): Array<[string, Planned['body']]> {
  const text = JSON.stringify(base);
  const json = 'application/json';
  const mutations: Array<[string, Planned['body']]> = [
    ['malformed JSON: cut short', { text: text.slice(0, -1), contentType: json }],
    ['malformed JSON: single quotes', { text: text.replaceAll('"', "'"), contentType: json }],
    ['malformed JSON: trailing comma', { text: `${text.slice(0, -1)},${text.slice(-1)}`, contentType: json }],
    ['JSON nested 20,000 deep', { text: `${'['.repeat(20_000)}${']'.repeat(20_000)}`, contentType: json }],
    ['a body over the size limit', { text: JSON.stringify({ ...(base as object), padding: 'x'.repeat(fuzzer.app.config.bodyLimitBytes) }), contentType: json }],
    ['media type text/plain', { text, contentType: 'text/plain' }],
    ['media type application/x-www-form-urlencoded', { text: 'status=preparing', contentType: 'application/x-www-form-urlencoded' }],
    ['media type application/merge-patch+json', { text, contentType: 'application/merge-patch+json' }],
    ['no media type', { text }],
  ];
  if (fuzzer.op.body!.required) mutations.push(['no body', undefined], ['an empty body', { text: '', contentType: json }]);
  return mutations;
}

/** A bearer token whose signature is changed in the middle (its last character may only hold padding bits). */
function forged(token: string): string {
  const at = token.length - 10;
  return `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
}

function mutatedRequests(fuzzer: Fuzzer): Planned[] {
  const { op } = fuzzer;
  const auth = primaryAuth(op);
  // Every swap made, so that the base succeeds and only the mutation stands in the way.
  const bases = op.body ? pool(fuzzer, op.body.pointer).slice(0, MUTATION_BASES).map((body) => realistic(fuzzer, body, 1)) : [];
  let fresh = 0;
  /** The body with its once-only members made new, unless the mutation is in one of them. */
  const renewed = (body: unknown, at = ''): unknown => {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
    const members = Object.entries(freshMembers[op.id] ?? {}).filter(([name]) => name in body && at !== `/${name}`);
    return members.length === 0 ? body : { ...body, ...Object.fromEntries(members.map(([name, make]) => [name, make(fresh++)])) };
  };
  const base = () => drawnRequest(fuzzer, auth, () => renewed(bases[0]), true);
  // Sent unchanged too: what every mutation would be but for the mutation, and meant to succeed.
  const planned: Planned[] = [{ ...base(), what: 'the base of the mutations, unchanged' }];
  const mutated = (what: string, change: (request: Planned) => void) => {
    const request = { ...base(), kind: 'mutated' as const, what };
    change(request);
    planned.push(request);
  };

  if (op.body) {
    for (const mutation of bodyMutations(fuzzer, bases)) {
      mutated(`body ${mutation.at}: ${mutation.kind}`, (request) => {
        request.body = { text: JSON.stringify(renewed(mutation.instance, mutation.at)), contentType: 'application/json' };
      });
    }
    for (const [what, body] of wholeBodyMutations(fuzzer, renewed(bases[0]))) mutated(what, (request) => void (request.body = body));
  }
  for (const parameter of op.parameters) {
    for (const { what, values, unencoded } of parameterMutations(fuzzer, parameter)) {
      mutated(`${parameter.in} parameter ${parameter.name}: ${what}`, (request) => {
        if (unencoded) request.unencoded = parameter.name;
        if (parameter.in === 'path') {
          request.path[parameter.name] = values![0]!;
          return;
        }
        const list = parameter.in === 'query' ? request.query : request.headers;
        const others = list.filter(([name]) => name !== parameter.name);
        list.splice(0, list.length, ...others, ...(values ?? []).map((value): [string, string] => [parameter.name, value]));
      });
    }
  }
  if (op.secured) {
    const credentials: Array<[string, string]> = [
      ['Authorization: Basic credentials', `Basic ${Buffer.from(`${owner.email}:${owner.password}`).toString('base64')}`],
      ['Authorization: a bearer token that is not a JWT', 'Bearer not-a-token'],
      ['Authorization: Bearer without a token', 'Bearer'],
      ['Authorization: a staff token with a forged signature', `Bearer ${forged(fuzzer.tokens.staff!)}`],
    ];
    for (const [what, authorization] of credentials) {
      mutated(what, (request) => Object.assign(request, { auth: 'bad credentials', authorization }));
    }
  }
  return planned;
}

// ---------------------------------------------------------------- sending and judging

function decodedOrAsIs(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The path to send, and its parameter values as the server reads them. */
async function resolvePath(fuzzer: Fuzzer, path: Planned['path'], unencoded?: string): Promise<{ url: string; values: Record<string, string>; existing: boolean }> {
  const texts: Record<string, string> = {};
  let existing = false;
  for (const [name, given] of Object.entries(path)) {
    existing ||= given === null;
    const value = given ?? (await fuzzer.existing.get(name)!.current());
    texts[name] = name === unencoded ? value : encodeURIComponent(value);
  }
  const url = fuzzer.op.path.replace(/\{([^}]+)\}/g, (_, name: string) => texts[name]!);
  const values = Object.fromEntries(Object.entries(texts).map(([name, text]) => [name, decodedOrAsIs(text)]));
  return { url, values, existing };
}

/** Why the contract forbids the request as sent; empty when it allows it. */
function contractObjections(op: FuzzedOperation, sent: { path: Record<string, string>; query: URLSearchParams; headers: Headers; body?: Planned['body'] }): string[] {
  const objections: string[] = [];
  for (const parameter of op.parameters) {
    const header = sent.headers.get(parameter.name);
    const texts = parameter.in === 'path' ? [sent.path[parameter.name]!] : parameter.in === 'query' ? sent.query.getAll(parameter.name) : header === null ? [] : [header];
    if (texts.length === 0) {
      if (parameter.required) objections.push(`the ${parameter.in} parameter ${parameter.name} is required`);
      continue;
    }
    const values = texts.map((text) => decodeParameter(parameter, text));
    for (const objection of schemaObjections(parameter.pointer, values.length === 1 ? values[0] : values)) {
      objections.push(`${parameter.in} parameter ${parameter.name}: ${objection}`);
    }
  }
  if (!op.body) return objections;
  if (!sent.body) return op.body.required ? [...objections, 'the body is required'] : objections;
  const mediaType = sent.body.contentType?.split(';')[0]!.trim().toLowerCase();
  if (mediaType === undefined || !op.body.mediaTypes.includes(mediaType)) return [...objections, `the body's media type ${mediaType ?? '(none)'} is not declared`];
  let body: unknown;
  try {
    body = JSON.parse(sent.body.text);
  } catch {
    return [...objections, 'the body is not JSON'];
  }
  return [...objections, ...schemaObjections(op.body.pointer, body).map((objection) => `body ${objection}`)];
}

function securityObjection(op: FuzzedOperation, auth: AuthState, existingOrder: boolean): string | undefined {
  if (!op.secured) return undefined;
  if (auth === 'anonymous') return 'it sends no access token';
  if (auth === 'bad credentials') return 'it sends no valid access token';
  const role = auth === 'staff' ? 'staff' : 'customer';
  if (op.roles.length > 0 && !op.roles.includes(role)) return `only ${op.roles.join(' or ')} may call ${op.id}`;
  if (op.ownedOrder && existingOrder && auth === 'other customer') return 'the order is another customer’s';
  return undefined;
}

/** What is wrong with a 4xx body, if anything: it must be a Problem with the response's status. */
/** What is wrong with an answer's JSON body under the schema the contract gives the status and media type, if anything. */
function bodyFault(op: FuzzedOperation, status: number, contentType: string | null, text: string): string | undefined {
  const mediaType = contentType?.split(';')[0]!.trim().toLowerCase();
  if (mediaType === undefined || !/json$/.test(mediaType)) return undefined;
  const key = [String(status), `${String(status)[0]}XX`, 'DEFAULT'].map((declared) => `${op.id} ${declared} ${mediaType}`).find((name) => name in responseSchemas);
  if (key === undefined) return `its ${status} is ${mediaType}, which the contract does not declare for it`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `its ${status} body is not JSON`;
  }
  const objections = schemaObjections(`#/components/responseSchemas/${key.replaceAll('/', '~1')}`, body);
  return objections.length > 0 ? `its ${status} body breaks the contract's schema: ${objections.join('; ')}` : undefined;
}

function problemFault(status: number, contentType: string | null, text: string): string | undefined {
  const mediaType = contentType?.split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'application/problem+json') return `its ${status} is ${mediaType ?? 'without a media type'}, not application/problem+json`;
  let body: { type?: unknown; title?: unknown; status?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return `its ${status} problem is not JSON`;
  }
  if (typeof body?.type !== 'string' || typeof body.title !== 'string') return `its ${status} problem has no type or title`;
  if (body.status !== status) return `its problem says status ${JSON.stringify(body.status)} under HTTP ${status}`;
  return undefined;
}

interface Failure {
  auth: AuthState;
  kind: Planned['kind'];
  what: string;
  request: string;
  status: number;
  excerpt: string;
  findings: string[];
}

interface Tally {
  operations: number;
  valid: number;
  mutated: number;
  forbidden: number;
  statuses: Map<number, number>;
  failures: number;
  failingOperations: string[];
}

const excerpt = (text: string, length: number) => (text.length > length ? `${text.slice(0, length)}… (${text.length} characters)` : text);

function describeRequest(op: FuzzedOperation, url: string, headers: Headers, planned: Planned): string {
  const lines = [`${op.method} ${excerpt(url, 300)}`];
  headers.forEach((value, name) => {
    const shown = name === 'authorization' && !planned.authorization ? `Bearer <${planned.auth} token>` : value;
    lines.push(`${name}: ${excerpt(shown, 160)}`);
  });
  if (planned.body) lines.push(`body: ${excerpt(planned.body.text, 400)}`);
  return lines.join('\n        ');
}

/** The body as text; of an event stream (`watchOrder`, which ends only with the order), what came up to its first event. */
async function bodyText(response: Response): Promise<string> {
  if (!/^text\/event-stream/i.test(response.headers.get('Content-Type') ?? '') || !response.body) return response.text();
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!/(^|\n)data:[^\n]*\n\n/.test(text)) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text;
}

async function send(fuzzer: Fuzzer, planned: Planned, tally: Tally, failures: Failure[]): Promise<void> {
  const { op } = fuzzer;
  const path = await resolvePath(fuzzer, planned.path, planned.unencoded);
  const search = planned.query.map(([name, value]) => `${encodeURIComponent(name)}=${name === planned.unencoded ? value : encodeURIComponent(value)}`).join('&');
  const url = search ? `${path.url}?${search}` : path.url;
  const headers = new Headers(planned.headers);
  const token = fuzzer.tokens[planned.auth];
  if (planned.authorization !== undefined) headers.set('Authorization', planned.authorization);
  else if (token !== undefined) headers.set('Authorization', `Bearer ${token}`);
  if (planned.body?.contentType !== undefined) headers.set('Content-Type', planned.body.contentType);

  const objections = contractObjections(op, { path: path.values, query: new URL(url, 'http://fuzz').searchParams, headers, body: planned.body });
  const security = securityObjection(op, planned.auth, path.existing);
  const forbidden = security ? [...objections, security] : objections;

  // Bytes, not a string: a string body would get `Content-Type: text/plain` added by `Request`.
  const body = planned.body && new TextEncoder().encode(planned.body.text);
  const response = await fuzzer.app.request(url, { method: op.method, headers, ...(body && { body }) });
  const text = await bodyText(response);
  const { status } = response;

  tally[planned.kind]++;
  if (forbidden.length > 0) tally.forbidden++;
  tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);

  const findings: string[] = [];
  if (status >= 500) findings.push(`it answered ${status}`);
  else if (!declares(op, status)) findings.push(`it answered ${status}, which ${op.id} does not declare (${op.responses.join(', ')})`);
  if (status >= 400 && status < 500) {
    const fault = problemFault(status, response.headers.get('Content-Type'), text);
    if (fault) findings.push(fault);
  }
  if (status < 500 && declares(op, status)) {
    const fault = bodyFault(op, status, response.headers.get('Content-Type'), text);
    if (fault) findings.push(fault);
  }
  if (status >= 200 && status < 300 && forbidden.length > 0) findings.push(`it accepted what the contract forbids: ${forbidden.join('; ')}`);
  if (status >= 200 && status < 300 && op.consumes && path.existing) {
    for (const source of fuzzer.existing.values()) source.usedUp();
  }
  if (findings.length > 0) {
    failures.push({ auth: planned.auth, kind: planned.kind, what: planned.what, request: describeRequest(op, url, headers, planned), status, excerpt: excerpt(text, 400), findings });
  }
}

/** One paragraph per kind of finding, with its shortest requests as reproductions. */
function report(op: FuzzedOperation, sent: number, failures: Failure[]): string {
  const groups = new Map<string, Failure[]>();
  for (const failure of failures) {
    const key = failure.findings.map((finding) => finding.replace(/: .*/, '')).join(' / ');
    groups.set(key, [...(groups.get(key) ?? []), failure]);
  }
  const lines = [`${op.id} (${op.method} ${op.path}): ${failures.length} of ${sent} answers break the contract`];
  for (const [key, group] of groups) {
    lines.push('', `● ${key} (${group.length} request${group.length === 1 ? '' : 's'})`);
    for (const failure of [...group].sort((a, b) => a.request.length - b.request.length).slice(0, 3)) {
      lines.push(
        `    as ${failure.auth}, ${failure.kind}: ${failure.what}`,
        `        ${failure.request}`,
        `    → ${failure.status} ${failure.excerpt}`,
        `    because ${failure.findings.join('; ')}`,
      );
    }
  }
  return lines.join('\n');
}

function summary(kind: DatabaseKind, tally: Tally, seconds: number): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const statuses = [...tally.statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${n(count)}`).join(', ');
  return (
    `contract fuzz [${kind}]: ${n(tally.valid + tally.mutated)} requests over ${tally.operations} operations in ${seconds.toFixed(0)} s ` +
    `(${n(tally.valid)} valid, ${n(tally.mutated)} mutated; ${n(tally.forbidden)} of them forbidden by the contract or its security); ` +
    `statuses ${statuses}; ${tally.failures === 0 ? '0 failures' : `${n(tally.failures)} failures in ${tally.failingOperations.join(', ')}`}`
  );
}

describeEachDatabase('every operation keeps to the contract under generated requests', (kind) => {
  const testApp = useTestApp(kind, { env: NO_RATE_LIMITS });
  const tally: Tally = { operations: 0, valid: 0, mutated: 0, forbidden: 0, statuses: new Map(), failures: 0, failingOperations: [] };
  let startedAt = 0;
  beforeAll(() => void (startedAt = performance.now()));
  afterAll(() => console.info(summary(kind, tally, (performance.now() - startedAt) / 1000)));

  it.each(fuzzedOperations.map((op) => [op.id, op] as const))(
    'answers every generated request to %s with a declared status, never 5xx, and never accepts what the contract forbids',
    async (_id, op) => {
      const fuzzer = await prepare(testApp(), op);
      // Mutations first, against resources no request has used up yet, so that only the mutation stands in the way.
      const requests = [...mutatedRequests(fuzzer), ...validRequests(fuzzer)];
      const failures: Failure[] = [];
      for (const planned of requests) await send(fuzzer, planned, tally, failures);

      tally.operations++;
      tally.failures += failures.length;
      if (failures.length > 0) tally.failingOperations.push(op.id);
      expect(failures.length, report(op, requests.length, failures)).toBe(0);
    },
    TIMEOUT_MS,
  );
});
