/** One block of a Server-Sent Events stream (the lines up to a blank line), as the test received it. */
export interface SseBlock {
  id?: string;
  event?: string;
  data?: string;
  retry?: number;
  /** The text of each comment line (`: keep-alive` is `keep-alive`). */
  comments: string[];
  /** `performance.now()` when the block's last line arrived. */
  receivedAt: number;
}

/**
 * Reads a `text/event-stream` body block by block as it arrives, written for the tests apart from the SDK's own
 * parser so that each checks the other. Takes a fetch body, any stream of bytes or text (an HTTP/2 stream) or text
 * received whole.
 */
export class SseReader {
  readonly #iterator: AsyncIterator<Uint8Array | string> | Iterator<Uint8Array | string>;
  readonly #decoder = new TextDecoder();
  readonly #ready: SseBlock[] = [];
  #buffer = '';
  #ended = false;
  #pending: Promise<IteratorResult<Uint8Array | string>> | undefined;

  constructor(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string> | Iterable<string>) {
    this.#iterator = Symbol.asyncIterator in body ? (body as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]() : (body as Iterable<string>)[Symbol.iterator]();
  }

  /** The next block, or `undefined` once the server has ended the stream. Fails after `timeoutMs`. */
  async next(timeoutMs = 5_000): Promise<SseBlock | undefined> {
    const deadline = performance.now() + timeoutMs;
    while (this.#ready.length === 0 && !this.#ended) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) throw new Error(`no Server-Sent Event within ${timeoutMs} ms (unparsed: ${JSON.stringify(this.#buffer)})`);
      this.#pending ??= Promise.resolve(this.#iterator.next());
      let timer: NodeJS.Timeout | undefined;
      const read = await Promise.race([
        this.#pending,
        new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), remaining))),
      ]);
      clearTimeout(timer);
      if (read === 'timeout') continue;
      this.#pending = undefined;
      if (read.done) this.#ended = true;
      else this.#push(typeof read.value === 'string' ? read.value : this.#decoder.decode(read.value, { stream: true }));
    }
    return this.#ready.shift();
  }

  /** The next block that is an event (skipping comments and `retry:`), or `undefined` at the end of the stream. */
  async nextEvent(timeoutMs = 5_000): Promise<SseBlock | undefined> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const block = await this.next(Math.max(1, deadline - performance.now()));
      if (!block || block.data !== undefined) return block;
    }
  }

  /** Every block until the server ends the stream. */
  async rest(timeoutMs = 5_000): Promise<SseBlock[]> {
    const blocks: SseBlock[] = [];
    for (let block = await this.next(timeoutMs); block; block = await this.next(timeoutMs)) blocks.push(block);
    return blocks;
  }

  /** Stops reading; the server sees the client go away. */
  async cancel(): Promise<void> {
    await this.#iterator.return?.();
  }

  #push(text: string): void {
    this.#buffer += text;
    for (let end = this.#buffer.search(/\r?\n\r?\n/); end !== -1; end = this.#buffer.search(/\r?\n\r?\n/)) {
      const block: SseBlock = { comments: [], receivedAt: performance.now() };
      for (const line of this.#buffer.slice(0, end).split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon === 0) {
          block.comments.push(line.slice(1).trimStart());
          continue;
        }
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id' || field === 'event') block[field] = value;
        else if (field === 'data') block.data = block.data === undefined ? value : `${block.data}\n${value}`;
        else if (field === 'retry') block.retry = Number(value);
      }
      this.#ready.push(block);
      this.#buffer = this.#buffer.slice(end).replace(/^\r?\n\r?\n/, '');
    }
  }
}
