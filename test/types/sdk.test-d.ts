// Type-checked by test/sdk-types.test.ts under `strict` and `exactOptionalPropertyTypes`: every line must
// compile, and every `@ts-expect-error` must be an error.
import {
  createPizzaPlaceClient, getMenuItem, isPizzaPlaceError, isProblem, listOrders, placeOrder, ProblemError, TransportError,
  type ContractError, type GetMenuItemData, type PlaceOrderData, type PlaceOrderErrors, type PlaceOrderResponses, type Problem,
  type UnprocessableContentProblem,
} from '../../sdk/index.ts';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectType = <T extends true>(_: T) => undefined;

const client = createPizzaPlaceClient({
  baseUrl: 'http://127.0.0.1:4010',
  token: undefined,
  fetch: undefined,
  headers: { 'X-Client-Version': '2.4.1' },
  credentials: 'include',
  retries: undefined,
});
const body = { lines: [{ itemId: 'itm_margherita01', size: 'medium' as const, quantity: 1, toppings: [] }], fulfilment: { type: 'pickup' as const } };

export async function kindsNarrow(error: unknown) {
  if (isPizzaPlaceError(error, 'timeout')) expectType<Equal<typeof error.kind, 'timeout'>>(true);
  if (isPizzaPlaceError(error, 'network')) expectType<Equal<typeof error, TransportError & { readonly kind: 'network' }>>(true);
  if (isPizzaPlaceError(error, 'invalid-response')) expectType<Equal<typeof error, ContractError & { readonly kind: 'invalid-response' }>>(true);
  if (isPizzaPlaceError(error, 'invalid-config')) expectType<Equal<typeof error.kind, 'invalid-config'>>(true);
  if (isPizzaPlaceError(error, 'problem')) expectType<Equal<typeof error, ProblemError>>(true);
}

export async function undeclaredStatusesAreErrors() {
  const { error } = await placeOrder({ client, body });
  if (isProblem(error, 502)) {
    expectType<Equal<typeof error.status, 502>>(true);
    expectType<Equal<typeof error.problem, Problem>>(true);
  }
  if (isProblem(error, 409)) error.problem.shortages.map((shortage) => shortage.ingredientId);
  if (error?.kind === 'problem') {
    switch (error.status) {
      case 409:
        return error.problem.shortages;
      case 502:
        return error.title;
    }
  }
  return undefined;
}

export async function problemTypesAreLiterals() {
  const { error } = await placeOrder({ client, body });
  if (isProblem(error, 422)) {
    expectType<Equal<typeof error.type, NonNullable<UnprocessableContentProblem['type']>>>(true);
    // @ts-expect-error not a problem type the contract lists for a 422
    error.type satisfies 'https://pizza-place.example/problems/out-of-stock';
  }
  if (error) {
    const requestId: string | undefined = error.requestId;
    const retryAfter: number | undefined = isProblem(error, 429) ? error.retryAfter : undefined;
    return [requestId, retryAfter];
  }
  return [];
}

export async function notModifiedIsAResult() {
  const conditional = await getMenuItem({ client, path: { itemId: 'itm_margherita01' }, headers: { 'If-None-Match': '"v1"' } });
  if (!conditional.error) {
    // @ts-expect-error a 304 has no body
    conditional.data.name;
    if (conditional.response.status !== 304) conditional.data?.name;
  }
  const plain = await getMenuItem({ client, path: { itemId: 'itm_margherita01' }, throwOnError: true });
  expectType<Equal<typeof plain.data.name, string>>(true);
}

export async function optionsAreWhatTheClientHonours() {
  await listOrders({ client, query: { cursor: undefined, limit: undefined }, signal: undefined, timeout: undefined, throwOnError: undefined });
  // @ts-expect-error the client sends no per-call credentials
  await listOrders({ client, credentials: 'include' });
  // @ts-expect-error the base URL is the client's
  await listOrders({ client, baseUrl: 'http://elsewhere' });
  // @ts-expect-error queries are serialised one way, the contract's
  await listOrders({ client, querySerializer: () => '' });
  // @ts-expect-error hey-api's response style is not the SDK's
  await listOrders({ client, responseStyle: 'data' });
}

export type PerOperationTypes = [PlaceOrderData, PlaceOrderErrors[409], PlaceOrderResponses[201], GetMenuItemData['path']];
