import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const specPath = join(root, 'openapi', 'pizza-place.yaml');
const rulesetPath = join(root, 'openapi', '.spectral.yaml');
const spectralBin = join(root, 'node_modules', '.bin', 'spectral');

interface LintRun {
  exitCode: number;
  output: string;
}

async function lint(file: string): Promise<LintRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      spectralBin,
      ['lint', '--fail-severity=warn', '--ruleset', rulesetPath, file],
      { cwd: root },
    );
    return { exitCode: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { exitCode: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

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

  /** Writes `text` as `pizza-place.yaml` in a fresh directory of its own, so no two tests share a file. */
  async function writeScratchSpec(text: string): Promise<string> {
    const path = join(await mkdtemp(join(scratch, 'spec-')), 'pizza-place.yaml');
    await writeFile(path, text);
    return path;
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
});
