import type { Card, Money } from '../../generated/types.gen.ts';

export type DeclineReason = 'card-declined' | 'insufficient-funds' | 'unknown-payment-method';

/** A charge as the provider reports it, shaped after a Stripe PaymentIntent's outcomes. */
export type Charge =
  | { status: 'succeeded'; id: string; card: Card }
  | { status: 'requires_action'; id: string; nextAction: { type: 'redirect_to_url'; url: string } }
  | { status: 'declined'; reason: DeclineReason };

export interface ProviderRefund {
  status: 'succeeded';
  id: string;
}

/**
 * A card processor. Every call carries an idempotency key, and the provider must treat a repeated key as the first
 * call (as Stripe, Adyen and Braintree do), so a call repeated after a crash or a timeout never charges or refunds
 * twice. The server never calls it inside a database transaction.
 */
export interface PaymentProvider {
  /** Charges `amount` to `paymentMethod` (a token from the card form). */
  charge(request: { amount: Money; paymentMethod: string; idempotencyKey: string }): Promise<Charge>;
  /** The charge made under `idempotencyKey`, as it stands now; `undefined` when there is none. */
  retrieve(request: { idempotencyKey: string }): Promise<Charge | undefined>;
  /** Gives back `amount` of the charge `chargeId`. */
  refund(request: { chargeId: string; amount: Money; idempotencyKey: string }): Promise<ProviderRefund>;
}

/** The provider could not be reached, failed, or did not answer within the timeout: the outcome is unknown. */
export class PaymentProviderUnavailable extends Error {
  override readonly name = 'PaymentProviderUnavailable';
}

/** `provider` with every call bounded by `timeoutMs`; any failure surfaces as {@link PaymentProviderUnavailable}. */
export function withTimeout(provider: PaymentProvider, timeoutMs: number): PaymentProvider {
  const bounded =
    <A, R>(call: (request: A) => Promise<R>) =>
    (request: A): Promise<R> =>
      new Promise<R>((resolve, reject) => {
        const timer = setTimeout(() => reject(new PaymentProviderUnavailable(`the payment provider did not answer within ${timeoutMs} ms`)), timeoutMs);
        call(request).then(
          (result) => {
            clearTimeout(timer);
            resolve(result);
          },
          (error: unknown) => {
            clearTimeout(timer);
            reject(error instanceof PaymentProviderUnavailable ? error : new PaymentProviderUnavailable('the payment provider failed', { cause: error }));
          },
        );
      });
  return {
    charge: bounded((request) => provider.charge(request)),
    retrieve: bounded((request) => provider.retrieve(request)),
    refund: bounded((request) => provider.refund(request)),
  };
}

const testCards: Record<string, { card: Card } | { decline: DeclineReason } | { threeDSecure: Card }> = {
  tok_visa: { card: { brand: 'visa', last4: '4242' } },
  tok_mastercard: { card: { brand: 'mastercard', last4: '4444' } },
  tok_threeDSecure: { threeDSecure: { brand: 'visa', last4: '3155' } },
  tok_chargeDeclined: { decline: 'card-declined' },
  tok_insufficientFunds: { decline: 'insufficient-funds' },
};

/**
 * The test-mode provider, for development and tests: no money moves, and charges and refunds are kept in memory
 * by idempotency key, so a repeated key answers as the first call did. It knows the contract's test tokens:
 * `tok_visa`, `tok_mastercard` succeed; `tok_chargeDeclined`, `tok_insufficientFunds` are declined;
 * `tok_threeDSecure` requires action, which counts as done the next time the charge is retrieved.
 */
export function createTestModePaymentProvider(): PaymentProvider {
  const charges = new Map<string, Charge>();
  const refunds = new Map<string, ProviderRefund>();
  let sequence = 0;
  const nextId = (prefix: string) => `${prefix}_test${String(++sequence).padStart(8, '0')}`;
  return {
    async charge({ paymentMethod, idempotencyKey }) {
      const known = charges.get(idempotencyKey);
      if (known) return known;
      const card = testCards[paymentMethod];
      let charge: Charge;
      if (!card) charge = { status: 'declined', reason: 'unknown-payment-method' };
      else if ('decline' in card) charge = { status: 'declined', reason: card.decline };
      else if ('threeDSecure' in card) {
        const id = nextId('ch');
        charge = { status: 'requires_action', id, nextAction: { type: 'redirect_to_url', url: `https://pizza-place.example/test-mode/3ds/${id}` } };
      } else charge = { status: 'succeeded', id: nextId('ch'), card: card.card };
      charges.set(idempotencyKey, charge);
      return charge;
    },
    async retrieve({ idempotencyKey }) {
      const charge = charges.get(idempotencyKey);
      if (charge?.status !== 'requires_action') return charge;
      const confirmed: Charge = { status: 'succeeded', id: charge.id, card: { brand: 'visa', last4: '3155' } };
      charges.set(idempotencyKey, confirmed);
      return confirmed;
    },
    async refund({ idempotencyKey }) {
      const refund = refunds.get(idempotencyKey) ?? { status: 'succeeded' as const, id: nextId('re') };
      refunds.set(idempotencyKey, refund);
      return refund;
    },
  };
}

/** The provider the configuration names, bounded by its timeout. */
export function paymentProviderFor(config: { provider: 'test-mode'; timeoutMs: number }): PaymentProvider {
  return withTimeout(createTestModePaymentProvider(), config.timeoutMs);
}
