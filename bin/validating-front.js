/**
 * The mock's front door: checks each request against the contract the way the real server does, and answers a
 * request that breaks it with the same problem the server would send (400 `invalid-parameter` for a path, query
 * or header, 422 `validation-failed` for a body, each error pointing at the real violation). Everything else
 * goes on to Prism, which answers from the contract's examples. Prism's own answer to an invalid request is a
 * canned example that points at whatever the example points at.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';

const problemTypes = 'https://pizza-place.example/problems/';
const largestBody = 1024 * 1024;

/**
 * The SDK's own request validators: from the published build, or from the source when run in the repository
 * (where `sdk/` exists and the command runs under tsx).
 */
async function loadValidation() {
  const source = new URL('../sdk/validation.ts', import.meta.url);
  return import(existsSync(source) ? source.href : new URL('../dist/sdk/validation.js', import.meta.url).href);
}

/** Every operation of the contract with what it takes to match and read a request for it. */
function routesOf(contract) {
  const resolve = (value) => (value?.$ref ? resolve(value.$ref.split('/').slice(1).reduce((node, key) => node?.[key.replaceAll('~1', '/').replaceAll('~0', '~')], contract)) : value);
  const routes = [];
  for (const [path, item] of Object.entries(contract.paths ?? {})) {
    for (const method of ['get', 'put', 'post', 'patch', 'delete']) {
      const operation = item[method];
      if (!operation) continue;
      const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map(resolve).map((parameter) => ({ ...parameter, schema: resolve(parameter.schema) ?? {} }));
      const names = [];
      const pattern = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, name) => (names.push(name), '([^/]+)'));
      const security = operation.security ?? contract.security ?? [];
      routes.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        regex: new RegExp(`^${pattern}$`),
        names,
        parameters,
        secured: security.length > 0 && !security.some((requirement) => Object.keys(requirement).length === 0),
        hasBody: Boolean(operation.requestBody),
      });
    }
  }
  return routes;
}

/** A parameter's raw text as the type its schema says, read as strictly as the server reads it. */
function readValue(text, schema) {
  const type = schema.type ?? (schema.enum && typeof schema.enum[0]);
  if (type === 'integer') return /^(?:0|-?[1-9][0-9]*)$/.test(text) ? Number(text) : text;
  if (type === 'number') return /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/.test(text) ? Number(text) : text;
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

function readParameters(route, match, url) {
  const path = {};
  const query = {};
  route.names.forEach((name, index) => {
    const schema = route.parameters.find((parameter) => parameter.in === 'path' && parameter.name === name)?.schema ?? {};
    path[name] = readValue(decodeURIComponent(match[index + 1]), schema);
  });
  for (const parameter of route.parameters.filter((p) => p.in === 'query')) {
    const values = url.searchParams.getAll(parameter.name);
    if (values.length === 0) continue;
    query[parameter.name] = parameter.schema.type === 'array' ? values.flatMap((value) => (parameter.explode === false ? value.split(',') : [value])).map((value) => readValue(value, parameter.schema.items ?? {})) : readValue(values[0], parameter.schema);
  }
  return { path: route.names.length ? path : undefined, query: route.parameters.some((p) => p.in === 'query') ? query : undefined };
}

function problem(response, fields) {
  const body = JSON.stringify({ ...fields, type: `${problemTypes}${fields.type}` });
  response.writeHead(fields.status, { 'content-type': 'application/problem+json', 'access-control-allow-origin': '*' });
  response.end(body);
}

/** Where each part of the validated request starts its pointers, as the server's problems do. */
const roots = { body: 'body', path: 'path', query: 'query', headers: 'header' };

function answerInvalid(response, instance, issues, input, validationErrorsOf) {
  const byPart = new Map();
  for (const issue of issues) {
    const [part, ...rest] = issue.path;
    const path = part === 'headers' && rest.length ? [String(rest[0]).toLowerCase(), ...rest.slice(1)] : rest;
    byPart.set(part, [...(byPart.get(part) ?? []), { ...issue, path }]);
  }
  const parameterParts = ['path', 'query', 'headers'].filter((part) => byPart.has(part));
  const parts = parameterParts.length ? parameterParts : [...byPart.keys()];
  const errors = parts.flatMap((part) => validationErrorsOf(byPart.get(part), roots[part] ?? String(part), input[part]));
  const detail = `The request has ${errors.length} ${errors.length === 1 ? 'problem' : 'problems'}.`;
  problem(
    response,
    parameterParts.length
      ? { type: 'invalid-parameter', title: 'Invalid request parameter', status: 400, detail, instance, errors }
      : { type: 'validation-failed', title: 'Your request is not valid', status: 422, detail, instance, errors },
  );
}

function forward(request, response, body, upstream) {
  const target = new URL(request.url, upstream);
  const proxied = http.request(target, { method: request.method, headers: request.headers }, async (answer) => {
    if (!/^text\/event-stream/i.test(answer.headers['content-type'] ?? '')) {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
      return;
    }
    // Prism reads the contract with a YAML parser that drops one trailing newline of a `|+` block, so the documented
    // stream would end its last event without the blank line that dispatches it, and SSE clients discard an event
    // left unfinished. The example is whole, so it is read whole and ended as the server ends its streams.
    const chunks = [];
    for await (const chunk of answer) chunks.push(chunk);
    const text = Buffer.concat(chunks).toString('utf8').replace(/\n*$/, '\n\n');
    response.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'content-length': String(Buffer.byteLength(text)) });
    response.end(text);
  });
  proxied.once('error', () => problem(response, { type: 'mock-unavailable', title: 'Mock not ready', status: 502, detail: 'Prism is not answering yet; try again in a moment.' }));
  proxied.end(body);
}

/**
 * Listens on `host:port` in front of Prism at `upstream` (`http://127.0.0.1:<port>`).
 * @returns the server, to close when Prism stops.
 */
export async function startValidatingFront({ contract, upstream, host, port }) {
  const { validators, validationErrorsOf } = await loadValidation();
  const validatorOf = new Map(validators.map((entry) => [entry.operation, entry.request]));
  const routes = routesOf(contract);

  const server = http.createServer(async (request, response) => {
    const chunks = [];
    let size = 0;
    for await (const chunk of request) {
      size += chunk.length;
      if (size > largestBody) return problem(response, { type: 'content-too-large', title: 'Request body too large', status: 413, detail: `The body must be at most ${largestBody} bytes.` });
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks);
    const url = new URL(request.url ?? '/', 'http://mock');
    const route = routes.find((candidate) => candidate.method === request.method && candidate.regex.test(url.pathname));
    const validate = route && validatorOf.get(route.key);
    // Without a token the server answers 401 before it looks at the request; so does Prism.
    if (!route || !validate || (route.secured && !/^Bearer \S/i.test(request.headers.authorization ?? ''))) return forward(request, response, body, upstream);

    let json;
    if (route.hasBody && body.length > 0) {
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch (error) {
        return problem(response, { type: 'malformed-request', title: 'The request body is not valid JSON', status: 400, detail: error.message, instance: url.pathname });
      }
    }
    const { path, query } = readParameters(route, route.regex.exec(url.pathname), url);
    const headers = new Headers(Object.entries(request.headers).flatMap(([name, value]) => (value === undefined ? [] : [[name, String(value)]])));
    try {
      await validate({ body: route.hasBody ? json : undefined, path, query, headers });
    } catch (error) {
      if (!Array.isArray(error?.issues)) throw error;
      return answerInvalid(response, url.pathname + url.search, error.issues, { body: json, path, query, headers: Object.fromEntries(headers) }, validationErrorsOf);
    }
    forward(request, response, body, upstream);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return server;
}
