import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the scripted server saw it. */
export interface Received {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
  /** `performance.now()` when it arrived, to measure waits between attempts. */
  at: number;
}

/** Answers one request; may write nothing and destroy the socket to play a network failure. */
export type Answer = (request: Received, response: ServerResponse) => void | Promise<void>;

export interface ScriptedServer {
  url: string;
  received: Received[];
  /** Queues answers, used in order; once used up, the last one keeps answering. */
  script(...answers: Answer[]): void;
  close(): Promise<void>;
}

/** A local `node:http` server that answers with whatever the test scripted, recording every request. */
export async function startScriptedServer(): Promise<ScriptedServer> {
  const received: Received[] = [];
  let answers: Answer[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request = { method: req.method!, url: new URL(req.url!, 'http://scripted.test'), headers: req.headers, body: Buffer.concat(chunks).toString(), at: performance.now() };
    received.push(request);
    const answer = answers.length > 1 ? answers.shift()! : answers[0];
    if (!answer) return void res.writeHead(500).end();
    await answer(request, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    script: (...next) => {
      received.length = 0;
      answers = next;
    },
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** A JSON answer (`application/problem+json` for a status ≥ 400). */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return (_, res) => {
    const type = status >= 400 ? 'application/problem+json' : 'application/json';
    res.writeHead(status, { 'Content-Type': type, ...headers }).end(JSON.stringify(body));
  };
}

/** A Problem answer of `status`, with extra members. */
export function problem(status: number, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Answer {
  return json(status, { type: `https://pizza.example/problems/${status}`, title: `Status ${status}`, status, ...extra }, headers);
}

/** Drops the connection without answering: a network failure for the client. */
export const hangUp: Answer = (_, res) => void res.socket?.destroy();

/** Answers after `ms` (unless the client gave up and the socket is gone). */
export function after(ms: number, answer: Answer): Answer {
  return (request, res) => new Promise((resolve) => setTimeout(() => resolve(res.destroyed ? undefined : answer(request, res)), ms));
}
