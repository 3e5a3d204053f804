/**
 * In-process notices of committed changes, so that work waiting on them (an order's event stream, the webhook
 * delivery worker) starts at once instead of at its next poll. Only this instance's changes arrive here: the
 * waiting work still polls the database for changes made through other instances. Listeners must not throw.
 */
export class ChangeFeed {
  readonly #orderListeners = new Map<string, Set<() => void>>();
  readonly #eventListeners = new Set<() => void>();

  /** An order's status (or anything else in it) changed, and the change is committed. */
  orderChanged(orderId: string): void {
    for (const listener of this.#orderListeners.get(orderId) ?? []) listener();
  }

  /** Events were committed to the webhook outbox. */
  eventsRecorded(): void {
    for (const listener of this.#eventListeners) listener();
  }

  /** @returns a function that stops listening. */
  onOrderChanged(orderId: string, listener: () => void): () => void {
    let listeners = this.#orderListeners.get(orderId);
    if (!listeners) this.#orderListeners.set(orderId, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#orderListeners.delete(orderId);
    };
  }

  /** @returns a function that stops listening. */
  onEventsRecorded(listener: () => void): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }
}
