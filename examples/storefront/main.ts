import {
  cancelOrder, createSession, getMe, getOrder, isPizzaPlaceError, isProblem, listMenuItems, listOrderPayments, listToppings, payOrder, placeOrder,
  quoteOrder, registerCustomer, watchOrder, webStorageTokens, type Address, type Fulfilment, type ItemSize, type MenuItem, type Order,
  type OrderStatus, type Topping,
} from '@pizza-place/api';
import { estimateLine, estimateSubtotal, toOrderLines, type CartLine } from './cart.ts';
import { byTestId, h, say } from './dom.ts';
import { formatMoney } from './money.ts';

const apiBaseUrl = import.meta.env.VITE_API_BASE_URL || 'http://127.0.0.1:4010';

/** Signed in once, the page stays signed in (this tab, reloads included): the session refreshes its access token itself. */
const session = createSession({ baseUrl: apiBaseUrl, store: webStorageTokens(sessionStorage), onSignedOut: () => showSignedOut() });
const client = session.client;

const cart: CartLine[] = [];
const toppingNames = new Map<string, string>();
let currentOrder: Order | undefined;
/** Stops following the order shown, when another one replaces it. */
let following: AbortController | undefined;

/** What to tell the customer about a failed call: the problem's `detail` (else its `title`) when the API answered one. */
function describeFailure(failure: unknown): string {
  if (isProblem(failure)) return failure.detail ?? failure.title;
  if (isPizzaPlaceError(failure, 'network') || isPizzaPlaceError(failure, 'timeout')) {
    return 'The Pizza Place cannot be reached right now. Please try again in a moment.';
  }
  return 'Something went wrong. Please try again.';
}

/** Runs a form's action with the form locked against double submits; a failure (the SDK throws its typed error) is shown in `alert`. */
async function attempt(form: HTMLFormElement, alert: HTMLElement, action: () => Promise<void>): Promise<void> {
  say(alert, undefined);
  form.inert = true;
  form.setAttribute('aria-busy', 'true');
  try {
    await action();
  } catch (failure) {
    say(alert, describeFailure(failure));
  } finally {
    form.inert = false;
    form.removeAttribute('aria-busy');
  }
}

function filled(data: FormData, name: string): string | undefined {
  const value = String(data.get(name) ?? '').trim();
  return value === '' ? undefined : value;
}

function sizeLabel(size: ItemSize): string {
  return size[0]!.toUpperCase() + size.slice(1);
}

function menuEntry(item: MenuItem, toppings: readonly Topping[]): HTMLLIElement {
  const headingId = `item-${item.id}`;
  const form = h(
    'form',
    { 'aria-label': `Add ${item.name} to the cart` },
    h('label', {}, 'Size ', h('select', { name: 'size' }, ...item.sizes.map(({ size, price }) => h('option', { value: size }, `${sizeLabel(size)} ${formatMoney(price)}`)))),
    h('label', {}, 'Quantity ', h('input', { name: 'quantity', type: 'number', min: '1', max: '20', value: '1', required: true })),
    ...(toppings.length === 0
      ? []
      : [h('fieldset', {}, h('legend', {}, 'Extra toppings'), ...toppings.map((topping) =>
          h('label', {}, h('input', { type: 'checkbox', name: 'topping', value: topping.id, disabled: !topping.available }),
            ` ${topping.name} +${formatMoney(topping.price)}${topping.available ? '' : ' (sold out)'}`)))]),
    h('button', { type: 'submit', disabled: !item.available }, item.available ? 'Add to cart' : 'Sold out'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const chosen = data.getAll('topping');
    cart.push({
      item,
      size: data.get('size') as ItemSize,
      quantity: Number(data.get('quantity')),
      toppings: toppings.filter((topping) => chosen.includes(topping.id)),
    });
    renderCart();
  });
  return h(
    'li',
    { 'data-testid': 'menu-item', 'data-item-id': item.id },
    h('article', { 'aria-labelledby': headingId },
      h('h3', { id: headingId }, item.name),
      h('p', {}, item.description),
      ...(item.dietary.length === 0 ? [] : [h('p', { class: 'dietary' }, item.dietary.map((tag) => tag.replace('_', ' ')).join(' · '))]),
      form),
  );
}

async function loadMenu(): Promise<void> {
  const status = byTestId('menu-status');
  try {
    const [menu, toppings] = await Promise.all([listMenuItems({ client, throwOnError: true }), listToppings({ client, throwOnError: true })]);
    const items = menu.data.data;
    const allToppings = toppings.data.data;
    for (const topping of allToppings) toppingNames.set(topping.id, topping.name);
    byTestId('menu').replaceChildren(...items.map((item) => menuEntry(item, item.category === 'pizza' ? allToppings : [])));
    status.textContent = `${items.length} items on the menu.`;
  } catch (failure) {
    status.textContent = `The menu could not be loaded: ${describeFailure(failure)}`;
  }
}

function renderCart(): void {
  byTestId('cart-lines').replaceChildren(...cart.map((line, index) => {
    const remove = h('button', { type: 'button', 'aria-label': `Remove ${line.item.name} from the cart` }, 'Remove');
    remove.addEventListener('click', () => {
      cart.splice(index, 1);
      renderCart();
    });
    const extras = line.toppings.length === 0 ? '' : ` with ${line.toppings.map((topping) => topping.name).join(', ')}`;
    return h('li', { 'data-testid': 'cart-line' }, `${line.quantity} × ${line.item.name} (${line.size})${extras}: ${formatMoney(estimateLine(line))} `, remove);
  }));
  byTestId('cart-empty').hidden = cart.length > 0;
  const subtotal = estimateSubtotal(cart);
  byTestId('cart-subtotal').textContent = subtotal ? formatMoney(subtotal) : '–';
  updateCheckout();
  void showQuote();
}

let quoted = 0;

/** What the kitchen would charge for the cart now (subtotal, delivery fee, tax, total) and whether it can be made, before ordering. */
async function showQuote(): Promise<void> {
  const asked = ++quoted;
  const quote = byTestId('quote');
  if (cart.length === 0) {
    quote.hidden = true;
    return;
  }
  const { data, error } = await quoteOrder({ client, body: { lines: toOrderLines(cart), fulfilment: chosenFulfilment() } });
  if (asked !== quoted) return; // the cart changed again meanwhile
  quote.hidden = false;
  if (error) {
    say(byTestId('quote-status'), describeFailure(error));
    return;
  }
  byTestId('quote-subtotal').textContent = formatMoney(data.subtotal);
  byTestId('quote-delivery-fee').textContent = formatMoney(data.deliveryFee);
  byTestId('quote-tax').textContent = formatMoney(data.tax);
  byTestId('quote-total').textContent = formatMoney(data.total);
  say(byTestId('quote-status'), data.available ? undefined : `Not enough ${data.shortages.map((shortage) => shortage.ingredientName).join(', ')} right now.`);
}

/** The fulfilment picked at checkout, with a placeholder address until one is typed: fees do not depend on it. */
function chosenFulfilment(): Fulfilment {
  const data = new FormData(byTestId<HTMLFormElement>('checkout-form'));
  if (data.get('fulfilment') !== 'delivery') return { type: 'pickup' };
  return { type: 'delivery', address: { line1: filled(data, 'line1') ?? 'to be given', city: filled(data, 'city') ?? 'to be given', postalCode: filled(data, 'postalCode') ?? '000' } };
}

function showSignedOut(): void {
  byTestId('account-status').textContent = 'Not signed in.';
  byTestId('sign-out').hidden = true;
  updateCheckout();
}

function updateCheckout(): void {
  const ready = session.signedIn && cart.length > 0;
  byTestId<HTMLButtonElement>('place-order').disabled = !ready;
  byTestId('checkout-hint').hidden = ready;
}

function showStatus(status: OrderStatus): void {
  const shown = byTestId('order-status');
  shown.textContent = status.replaceAll('_', ' ');
  shown.dataset.status = status;
}

/**
 * Shows the order's status as the kitchen moves it along, through the SDK's `watchOrder`, until the order is
 * delivered, collected or cancelled (the iteration then ends by itself) or another order replaces it. The SDK
 * reconnects by itself after a dropped connection; only a refusal (the sign-in expired, say) ends it early.
 */
async function follow(order: Order): Promise<void> {
  stopFollowing();
  const controller = (following = new AbortController());
  const tracking = byTestId('order-tracking');
  say(tracking, 'This status follows the kitchen live.');
  try {
    for await (const event of watchOrder({ client, path: { orderId: order.id }, signal: controller.signal })) showStatus(event.status);
    if (!controller.signal.aborted) say(tracking, undefined);
  } catch (failure) {
    say(tracking, `Live updates stopped: ${describeFailure(failure)}`);
  }
}

function stopFollowing(): void {
  following?.abort();
  following = undefined;
  say(byTestId('order-tracking'), undefined);
}

function showOrder(order: Order): void {
  if (order.id !== currentOrder?.id) stopFollowing();
  currentOrder = order;
  byTestId('order').hidden = false;
  byTestId('order-id').textContent = order.id;
  showStatus(order.status);
  byTestId('order-lines').querySelector('tbody')!.replaceChildren(...order.lines.map((line) => {
    const extras = line.toppings.map((id) => toppingNames.get(id) ?? id);
    return h('tr', {},
      h('td', {}, [line.itemName, ...extras].join(' + ')),
      h('td', {}, line.size),
      h('td', {}, String(line.quantity)),
      h('td', {}, formatMoney(line.unitPrice)),
      h('td', {}, formatMoney(line.lineTotal)));
  }));
  byTestId('order-subtotal').textContent = formatMoney(order.subtotal);
  byTestId('order-delivery-fee').textContent = formatMoney(order.deliveryFee);
  byTestId('order-tax').textContent = formatMoney(order.tax);
  byTestId('order-total').textContent = formatMoney(order.total);
  byTestId('payment-form').hidden = order.status !== 'awaiting_payment';
  byTestId('cancel-order').hidden = order.status !== 'awaiting_payment' && order.status !== 'confirmed';
}

/** The refunds made on the order's payments, as the customer reads them after cancelling. */
async function showRefunds(order: Order): Promise<void> {
  const { data } = await listOrderPayments({ client, path: { orderId: order.id }, throwOnError: true });
  const refunds = data.data.flatMap((payment) => payment.refunds);
  say(
    byTestId('refunds'),
    refunds.length === 0 ? undefined : refunds.map((refund) => `Refund of ${formatMoney(refund.amount)} ${refund.status === 'succeeded' ? 'made' : 'on its way'}.`).join(' '),
  );
}

const accountForm = byTestId<HTMLFormElement>('account-form');
accountForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(accountForm);
  const email = String(data.get('email'));
  const password = String(data.get('password'));
  const register = (event.submitter as HTMLButtonElement | null)?.value === 'register';
  void attempt(accountForm, byTestId('account-error'), async () => {
    if (session.signedIn) await session.signOut();
    updateCheckout();
    if (register) await registerCustomer({ client, body: { email, password, name: String(data.get('name')) }, throwOnError: true });
    const { error } = await session.signIn({ email, password });
    if (error) throw error;
    await showAccount();
  });
});

async function showAccount(): Promise<void> {
  const { data: me } = await getMe({ client, throwOnError: true });
  byTestId('account-status').textContent = `Signed in as ${me.name} (${me.email}).`;
  byTestId('sign-out').hidden = false;
  updateCheckout();
}

byTestId('sign-out').addEventListener('click', () => {
  void session.signOut().then(showSignedOut);
});

const checkoutForm = byTestId<HTMLFormElement>('checkout-form');
checkoutForm.addEventListener('change', () => {
  const address = byTestId<HTMLFieldSetElement>('delivery-address');
  address.hidden = address.disabled = new FormData(checkoutForm).get('fulfilment') !== 'delivery';
  void showQuote();
});
checkoutForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(checkoutForm);
  const fulfilment: Fulfilment = data.get('fulfilment') === 'delivery' ? { type: 'delivery', address: addressOf(data) } : { type: 'pickup' };
  const notes = filled(data, 'notes');
  void attempt(checkoutForm, byTestId('checkout-error'), async () => {
    const { data: order } = await placeOrder({
      client,
      body: { lines: toOrderLines(cart), fulfilment, ...(notes && { notes }) },
      throwOnError: true,
    });
    cart.length = 0;
    renderCart();
    say(byTestId('payment-result'), undefined);
    say(byTestId('payment-error'), undefined);
    showOrder(order);
  });
});

function addressOf(data: FormData): Address {
  const [line2, instructions] = [filled(data, 'line2'), filled(data, 'instructions')];
  return {
    line1: filled(data, 'line1') ?? '',
    city: filled(data, 'city') ?? '',
    postalCode: filled(data, 'postalCode') ?? '',
    ...(line2 && { line2 }),
    ...(instructions && { instructions }),
  };
}

const paymentForm = byTestId<HTMLFormElement>('payment-form');
paymentForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const paymentMethodToken = String(new FormData(paymentForm).get('paymentMethodToken'));
  const order = currentOrder;
  if (!order) return;
  void attempt(paymentForm, byTestId('payment-error'), async () => {
    const { data: payment } = await payOrder({
      client,
      path: { orderId: order.id },
      body: { paymentMethodToken },
      throwOnError: true,
    });
    if (payment.status === 'requires_action') {
      // The card issuer wants the customer to confirm (3-D Secure): there, then pay again with the same key.
      say(byTestId('payment-result'), 'Your bank asks you to confirm this payment.');
      window.open(payment.nextAction.url, '_blank', 'noopener');
      return;
    }
    const { data: paid } = await getOrder({ client, path: { orderId: order.id }, throwOnError: true });
    showOrder(paid);
    say(byTestId('payment-result'), `Paid ${formatMoney(payment.amount)} with ${payment.card.brand} ending in ${payment.card.last4}.`);
    void follow(paid);
  });
});

byTestId('cancel-order').addEventListener('click', () => {
  const order = currentOrder;
  if (!order) return;
  void attempt(paymentForm, byTestId('payment-error'), async () => {
    const { data: cancelled } = await cancelOrder({ client, path: { orderId: order.id }, body: {}, throwOnError: true });
    stopFollowing();
    showOrder(cancelled);
    await showRefunds(cancelled);
  });
});

byTestId('api-base-url').textContent = apiBaseUrl;
renderCart();
void loadMenu();
if (session.signedIn) void showAccount().catch(() => showSignedOut());
