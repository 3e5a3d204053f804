/**
 * Formats a `Money` (an amount in minor units, e.g. cents) for people, e.g. `{ amount: 1199, currency: 'USD' }` as `$11.99`.
 * The currency decides how many minor units make a major one (2 for USD, 0 for JPY).
 */
export function formatMoney(money: { amount: number; currency: string }, locale = 'en'): string {
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency });
  const minorUnits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(money.amount / 10 ** minorUnits);
}
