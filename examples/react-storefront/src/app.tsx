import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';

import { createPizzaPlaceClient, isProblem, type issueToken, type ItemSize, type MenuItem, type OrderLineInput, type payOrder, type placeOrder } from '@pizza-place/api';
import { getOrderOptions, issueTokenMutation, listMenuItemsOptions, payOrderMutation, placeOrderMutation, type ErrorOf } from '@pizza-place/api/query';

let token: string | undefined;
const client = createPizzaPlaceClient({ baseUrl: import.meta.env.VITE_API_BASE_URL ?? 'http://127.0.0.1:4010', token: () => token });

const money = ({ amount, currency }: { amount: number; currency: string }) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount / 100);

/** The storefront: the menu, a cart, signing in, placing and paying an order, and its status as the kitchen moves it along. */
export function App() {
  const [cart, setCart] = useState<OrderLineInput[]>([]);
  const [orderId, setOrderId] = useState<string>();
  const [signedIn, setSignedIn] = useState(false);
  return (
    <main>
      <h1>The Pizza Place</h1>
      <Menu onAdd={(line) => setCart([...cart, line])} />
      <Cart lines={cart} onChange={setCart} />
      {signedIn ? null : <SignIn onSignedIn={() => setSignedIn(true)} />}
      {signedIn && !orderId && cart.length > 0 ? <PlaceOrder lines={cart} onPlaced={setOrderId} /> : null}
      {orderId ? <OrderStatus orderId={orderId} /> : null}
    </main>
  );
}

function Menu({ onAdd }: { onAdd: (line: OrderLineInput) => void }) {
  const menu = useQuery(listMenuItemsOptions({ client }));
  if (menu.isPending) return <p role="status">Loading the menu…</p>;
  if (menu.isError) return <p role="alert">{menu.error.message}</p>;
  return (
    <section aria-label="Menu">
      <h2>Menu</h2>
      <ul>
        {menu.data.data.map((item) => (
          <MenuEntry key={item.id} item={item} onAdd={onAdd} />
        ))}
      </ul>
    </section>
  );
}

function MenuEntry({ item, onAdd }: { item: MenuItem; onAdd: (line: OrderLineInput) => void }) {
  const [size, setSize] = useState<ItemSize>(item.sizes[0]!.size);
  return (
    <li data-item={item.id}>
      <strong>{item.name}</strong> {money(item.sizes.find((option) => option.size === size)!.price)}
      <select aria-label={`Size of ${item.name}`} value={size} onChange={(event) => setSize(event.target.value as ItemSize)}>
        {item.sizes.map((option) => (
          <option key={option.size} value={option.size}>
            {option.size}
          </option>
        ))}
      </select>
      <button disabled={!item.available} onClick={() => onAdd({ itemId: item.id, size, quantity: 1, toppings: [] })}>
        Add {item.name}
      </button>
    </li>
  );
}

function Cart({ lines, onChange }: { lines: OrderLineInput[]; onChange: (lines: OrderLineInput[]) => void }) {
  if (!lines.length) return <p>Your cart is empty.</p>;
  return (
    <section aria-label="Cart">
      <h2>Cart</h2>
      <ol>
        {lines.map((line, index) => (
          <li key={index}>
            {line.itemId} ({line.size}) ×{' '}
            <input
              aria-label={`Quantity of line ${index + 1}`}
              type="number"
              value={line.quantity}
              onChange={(event) => onChange(lines.map((other, at) => (at === index ? { ...other, quantity: Number(event.target.value) } : other)))}
            />
          </li>
        ))}
      </ol>
    </section>
  );
}

function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const signIn = useMutation(issueTokenMutation({ client }));
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    signIn.mutate(
      { body: { email: String(form.get('email')), password: String(form.get('password')) } },
      { onSuccess: (answer) => ((token = answer.accessToken), onSignedIn()) },
    );
  };
  return (
    <form aria-label="Sign in" onSubmit={submit}>
      <input name="email" type="email" aria-label="Email" defaultValue="ada@example.com" />
      <input name="password" type="password" aria-label="Password" defaultValue="correct horse battery" />
      <button type="submit">Sign in</button>
      {signIn.error ? <ProblemMessage error={signIn.error} /> : null}
    </form>
  );
}

function PlaceOrder({ lines, onPlaced }: { lines: OrderLineInput[]; onPlaced: (orderId: string) => void }) {
  const place = useMutation(placeOrderMutation({ client }));
  return (
    <section aria-label="Checkout">
      <button onClick={() => place.mutate({ body: { lines, fulfilment: { type: 'pickup' } } }, { onSuccess: (order) => onPlaced(order.id) })}>
        Place order
      </button>
      {place.error ? <ProblemMessage error={place.error} /> : null}
    </section>
  );
}

/** A failed call, as the customer should read it: what is out of stock (409), which field is wrong (422), else the message. */
function ProblemMessage({ error }: { error: ErrorOf<typeof placeOrder> | ErrorOf<typeof payOrder> | ErrorOf<typeof issueToken> }) {
  if (isProblem(error, 409) && 'shortages' in error.problem) {
    return (
      <div role="alert" data-problem="409">
        Out of stock: {error.problem.shortages.map((shortage) => `${shortage.ingredientId} (${shortage.available} left)`).join(', ')}
      </div>
    );
  }
  if (isProblem(error, 422)) {
    return (
      <div role="alert" data-problem="422">
        {error.title}
        <ul>
          {(error.errors ?? []).map((problem) => (
            <li key={problem.pointer}>
              <code>{problem.pointer}</code>: {problem.detail}
            </li>
          ))}
        </ul>
      </div>
    );
  }
  return <div role="alert">{error.message}</div>;
}

function OrderStatus({ orderId }: { orderId: string }) {
  const order = useQuery({ ...getOrderOptions({ client, path: { orderId } }), refetchInterval: 2_000 });
  const pay = useMutation(payOrderMutation({ client }));
  if (!order.data) return <p role="status">Loading your order…</p>;
  return (
    <section aria-label="Your order">
      <h2>
        Order <span data-order-id>{order.data.id}</span>
      </h2>
      <p>
        Status: <output data-status>{order.data.status}</output> — total {money(order.data.total)}
      </p>
      {pay.isSuccess ? (
        <p data-paid>Paid, thank you.</p>
      ) : (
        <button onClick={() => pay.mutate({ path: { orderId }, body: { paymentMethodToken: 'tok_visa' } })}>Pay {money(order.data.total)}</button>
      )}
      {pay.error ? <ProblemMessage error={pay.error} /> : null}
    </section>
  );
}
