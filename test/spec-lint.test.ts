import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

const root = resolve(import.meta.dirname, '..');
const specPath = join(root, 'openapi', 'pizza-place.yaml');
const rulesetPath = join(root, 'openapi', '.spectral.yaml');
const spectralBin = join(root, 'node_modules', '.bin', 'spectral');

interface LintRun {
  exitCode: number;
  output: string;
}

/** One problem Spectral reports, as its JSON formatter writes it. */
interface Finding {
  code: string;
  path: string[];
}

async function spectral(args: string[], cwd: string): Promise<LintRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(spectralBin, args, { cwd });
    return { exitCode: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { exitCode: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** Lints `file` the way `npm run lint:spec` does: failing on any warning. */
async function lint(file: string, ruleset = rulesetPath, cwd = root): Promise<LintRun> {
  return spectral(['lint', '--fail-severity=warn', '--ruleset', ruleset, file], cwd);
}

/** Every problem Spectral finds in `file`, whatever its severity. */
async function findings(file: string, ruleset = rulesetPath): Promise<Finding[]> {
  const { output } = await spectral(['lint', '--quiet', '--format', 'json', '--ruleset', ruleset, file], root);
  return JSON.parse(output) as Finding[];
}

/** The operations (`GET /me`) that `rule` reports a problem in. */
function operationsFlagged(found: Finding[], rule: string): string[] {
  const operations = found
    .filter((finding) => finding.code === rule && finding.path[0] === 'paths')
    .map((finding) => `${String(finding.path[2]).toUpperCase()} ${finding.path[1]}`);
  return [...new Set(operations)].sort();
}

type Contract = { paths: Record<string, Record<string, Record<string, unknown>>> } & Record<string, unknown>;

/** The 1-based number of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((line) => line.includes(needle)) + 1;
}

describe('the OpenAPI contract', () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'pizza-spec-lint-'));
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  /** Writes `text` as `name` in a fresh directory of its own, so no two tests share a file. */
  async function writeScratchSpec(text: string, name = 'pizza-place.yaml'): Promise<string> {
    const path = join(await mkdtemp(join(scratch, 'spec-')), name);
    await writeFile(path, text);
    return path;
  }

  /** The problems in the contract once `change` has been made to it. */
  async function findingsAfter(change: (contract: Contract) => void): Promise<Finding[]> {
    const contract = parse(await readFile(specPath, 'utf8')) as Contract;
    change(contract);
    return findings(await writeScratchSpec(stringify(contract)));
  }

  /** The problems in a contract of just `paths` (and `components`), for rules that look at operations. */
  async function findingsIn(
    paths: Record<string, unknown>,
    components: Record<string, unknown> = {},
  ): Promise<Finding[]> {
    const contract = { openapi: '3.1.0', info: { title: 'Fixture', version: '1.0.0' }, paths, components };
    return findings(await writeScratchSpec(stringify(contract), 'fixture.yaml'));
  }

  it('passes the house Spectral ruleset with no errors and no warnings', async () => {
    const { exitCode, output } = await lint(specPath);

    expect(output).not.toMatch(/\b(error|warning)\b/);
    expect(exitCode).toBe(0);
  });

  it('fails the lint, naming the file and line, when an operation declares no responses', async () => {
    const spec = await readFile(specPath, 'utf8');
    const broken = spec.replace(
      'tags: [Accounts]\n      responses:',
      'tags: [Accounts]\n      x-responses:',
    );
    expect(broken).not.toBe(spec);
    const brokenPath = await writeScratchSpec(broken);

    const { exitCode, output } = await lint(brokenPath);

    expect(exitCode).not.toBe(0);
    expect(output).toContain(brokenPath);
    const getMeLine = lineOf(broken, '  /me:') + 1;
    expect(output).toMatch(new RegExp(`^\\s*${getMeLine}:\\d+\\s+error\\s+pizza-operation-responses`, 'm'));
  });

  it('fails the lint, naming the file and line, when an example contradicts its schema', async () => {
    const spec = await readFile(specPath, 'utf8');
    const broken = spec.replace('expiresIn: 900', "expiresIn: 'fifteen minutes'");
    expect(broken).not.toBe(spec);
    const brokenPath = await writeScratchSpec(broken);
    const line = lineOf(broken, "expiresIn: 'fifteen minutes'");

    const { exitCode, output } = await lint(brokenPath);

    expect(exitCode).not.toBe(0);
    expect(output).toContain(brokenPath);
    expect(output).toMatch(new RegExp(`^\\s*${line}:\\d+\\s+error\\s+oas3-valid-media-example`, 'm'));
  });

  it('passes with no errors and no warnings under another file name', async () => {
    const copy = await writeScratchSpec(await readFile(specPath, 'utf8'), 'my-contract.yaml');

    const { exitCode, output } = await lint(copy);

    expect(output).not.toMatch(/\b(error|warning)\b/);
    expect(exitCode).toBe(0);
  });

  it('requires a security scheme of every operation that does not declare `security: []`', async () => {
    const found = await findingsAfter((contract) => {
      delete contract.security;
    });

    expect(operationsFlagged(found, 'pizza-read-restricted')).toContain('GET /me');
    expect(operationsFlagged(found, 'pizza-write-restricted')).toContain('POST /orders');
    const flagged = ['pizza-read-restricted', 'pizza-write-restricted'].flatMap((rule) => operationsFlagged(found, rule));
    for (const publicOperation of ['GET /menu/items', 'POST /accounts', 'POST /auth/token', 'GET /health/live']) {
      expect(flagged).not.toContain(publicOperation);
    }
  });

  it('requires a 401 of an operation once it no longer declares `security: []`', async () => {
    const found = await findingsAfter((contract) => {
      delete contract.paths['/menu/toppings']!.get!.security;
    });

    expect(operationsFlagged(found, 'pizza-error-responses-401')).toEqual(['GET /menu/toppings']);
  });

  it('requires a 400, 422 or 4XX of exactly the operations that take parameters or a request body', async () => {
    const answers = (...statuses: string[]) =>
      Object.fromEntries(['200', ...statuses].map((status) => [status, { description: status }]));
    const query = { name: 'q', in: 'query', schema: { type: 'string' } };

    const found = await findingsIn({
      '/things/{thingId}': {
        parameters: [{ name: 'thingId', in: 'path', required: true, schema: { type: 'string' } }],
        get: { responses: answers() },
        delete: { responses: answers('4XX') },
      },
      '/search': { get: { parameters: [query], responses: answers() } },
      '/checked-search': { get: { parameters: [query], responses: answers('400') } },
      '/uploads': { post: { requestBody: { content: { 'text/plain': {} } }, responses: answers() } },
      '/checked-uploads': { post: { requestBody: { content: { 'text/plain': {} } }, responses: answers('422') } },
      '/status': { get: { responses: answers() } },
    });

    expect(operationsFlagged(found, 'pizza-error-responses-validation')).toEqual([
      'GET /search',
      'GET /things/{thingId}',
      'POST /uploads',
    ]);
  });

  it('requires rate-limit headers and a 429 of every operation not flagged `x-rate-limit: none`', async () => {
    const found = await findingsAfter((contract) => {
      delete contract.paths['/health/live']!.get!['x-rate-limit'];
    });

    expect(operationsFlagged(found, 'pizza-rate-limit-headers')).toEqual(['GET /health/live']);
    expect(operationsFlagged(found, 'pizza-rate-limit-responses-429')).toEqual(['GET /health/live']);
  });

  it('accepts roles in a security requirement, but not an undefined scheme or an undefined OAuth scope', async () => {
    const ok = { '200': { description: 'OK' } };

    const found = await findingsIn(
      {
        '/staff': { get: { security: [{ bearerAuth: ['staff'] }], responses: ok } },
        '/reports': { get: { security: [{ oauth: ['reports:read'] }], responses: ok } },
        '/keys': { get: { security: [{ apiKey: [] }], responses: ok } },
        '/exports': { get: { security: [{ oauth: ['reports:export'] }], responses: ok } },
      },
      {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer' },
          oauth: {
            type: 'oauth2',
            flows: {
              clientCredentials: { tokenUrl: 'https://auth.example.org/token', scopes: { 'reports:read': 'Read' } },
            },
          },
        },
      },
    );

    expect(operationsFlagged(found, 'pizza-security-scheme-defined')).toEqual(['GET /exports', 'GET /keys']);
  });

  describe("in another team's project", () => {
    /** A contract of one public, never-throttled health probe that satisfies every rule. */
    const teamContract = {
      openapi: '3.1.0',
      info: {
        title: 'Team API',
        version: '1.0.0',
        description: 'A contract of another team, linted with the Pizza Place ruleset.',
        contact: { name: 'Team', url: 'https://team.example.org', email: 'team@example.org' },
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [{ url: 'https://api.team.example.org', description: 'Production.', 'x-internal': false }],
      tags: [{ name: 'Operations', description: 'Probes.' }],
      paths: {
        '/health': {
          get: {
            operationId: 'checkHealth',
            summary: 'Check health',
            description: 'Public and never throttled, so orchestrators can poll it.',
            tags: ['Operations'],
            security: [],
            'x-rate-limit': 'none',
            responses: {
              '200': {
                description: 'Healthy.',
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      properties: {
                        status: { type: 'string', const: 'ok', description: 'Always `ok`.', examples: ['ok'] },
                      },
                    },
                    examples: { ok: { value: { status: 'ok' } } },
                  },
                },
              },
              '500': {
                description: 'Unhealthy.',
                content: {
                  'application/problem+json': {
                    schema: {
                      type: 'object',
                      properties: {
                        title: {
                          type: 'string',
                          maxLength: 200,
                          pattern: '^[^\\n]+$',
                          description: 'What went wrong.',
                          examples: ['Internal error'],
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    };

    /**
     * A project with `teamContract` (less what `change` removes), a ruleset extending `extended`, and
     * Spectral and the OWASP ruleset installed: Spectral resolves every ruleset that `extends` names,
     * ours included, from the directory of the ruleset it was given.
     */
    async function teamProject(extended: string, change: (contract: typeof teamContract) => void = () => {}) {
      const project = await mkdtemp(join(scratch, 'team-'));
      await mkdir(join(project, 'node_modules'));
      await symlink(join(root, 'node_modules', '@stoplight'), join(project, 'node_modules', '@stoplight'));
      const contract = structuredClone(teamContract);
      change(contract);
      await writeFile(join(project, 'orders-api.yaml'), stringify(contract));
      await writeFile(join(project, '.spectral.yaml'), stringify({ extends: [extended] }));
      return { project, contractPath: join(project, 'orders-api.yaml'), rulesetPath: join(project, '.spectral.yaml') };
    }

    it('lints its contract clean with a ruleset that extends the shipped one', async () => {
      const team = await teamProject(rulesetPath);

      const { exitCode, output } = await lint(team.contractPath, team.rulesetPath);

      expect(output).not.toMatch(/\b(error|warning)\b/);
      expect(exitCode).toBe(0);
    });

    it('still gets the house rules, custom functions included, through `extends`', async () => {
      const team = await teamProject(rulesetPath, (contract) => {
        delete (contract.paths['/health'].get as { security?: unknown }).security;
      });

      const found = await findings(team.contractPath, team.rulesetPath);

      expect(operationsFlagged(found, 'pizza-read-restricted')).toEqual(['GET /health']);
      expect(operationsFlagged(found, 'pizza-error-responses-401')).toEqual(['GET /health']);
    });

    it("resolves `extends: ['@pizza-place/api/spectral']` to the ruleset the package ships", async () => {
      const team = await teamProject('@pizza-place/api/spectral');
      const installed = join(team.project, 'node_modules', '@pizza-place', 'api');
      const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { files: string[] };
      await mkdir(installed, { recursive: true });
      await cp(join(root, 'package.json'), join(installed, 'package.json'));
      for (const shipped of manifest.files.filter((file) => file.startsWith('openapi/'))) {
        await cp(join(root, shipped), join(installed, shipped), { recursive: true });
      }

      const { exitCode, output } = await lint(team.contractPath, team.rulesetPath, team.project);

      expect(output).not.toMatch(/\b(error|warning)\b/);
      expect(exitCode).toBe(0);
    });
  });
});
