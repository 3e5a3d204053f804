import type { Card, Money } from '../../generated/types.gen.ts';

export type DeclineReason = 'card-declined' | 'insufficient-funds';

export type ChargeResult =
  | { ok: true; card: Card }
  | { ok: false; reason: DeclineReason }
  | { ok: false; reason: 'unknown-token' };

/** Charges cards. A real card processor sits behind this; the server only ever talks to the interface. */
export interface PaymentProvider {
  /**
   * Charges `amount` to the card behind `token`. `idempotencyKey` lets a provider that supports it
   * (most do) turn a retried charge into the first one.
   */
  charge(request: { token: string; amount: Money; idempotencyKey: string }): Promise<ChargeResult>;
}

const testCards: Record<string, ChargeResult> = {
  tok_visa: { ok: true, card: { brand: 'visa', last4: '4242' } },
  tok_mastercard: { ok: true, card: { brand: 'mastercard', last4: '4444' } },
  tok_chargeDeclined: { ok: false, reason: 'card-declined' },
  tok_insufficientFunds: { ok: false, reason: 'insufficient-funds' },
};

/**
 * A fake provider for development and tests: no money moves. It knows the contract's test tokens
 * (`tok_visa`, `tok_mastercard` succeed; `tok_chargeDeclined`, `tok_insufficientFunds` are declined)
 * and no others.
 */
export function createTestModePaymentProvider(): PaymentProvider {
  return {
    charge: async ({ token }) => testCards[token] ?? { ok: false, reason: 'unknown-token' },
  };
}
