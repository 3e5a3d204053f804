import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { checkVersion, requiredBump, type ContractChange } from '../openapi/tools/contract-diff.ts';

const root = resolve(import.meta.dirname, '..');
const contractPath = join(root, 'openapi', 'pizza-place.yaml');
const toolPath = join(root, 'openapi', 'tools', 'contract-diff.ts');

interface Run {
  exitCode: number;
  output: string;
}

/** Runs `command` in the repository and returns its exit code and everything it printed. */
async function run(command: string, args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(command, args, { cwd: root });
    return { exitCode: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { exitCode: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

function contractDiff(...args: string[]): Promise<Run> {
  return run(process.execPath, ['--import', 'tsx', toolPath, ...args]);
}

// The parsed contract is loosely typed on purpose: each plant reaches into a different corner of it.
type Contract = any;

interface Plant {
  change: string;
  edit: (contract: Contract) => void;
  /** The path `check` must name. */
  path: string;
}

const breakingChanges: Plant[] = [
  {
    change: 'an operation removed',
    edit: (contract) => delete contract.paths['/menu/items/{itemId}'].delete,
    path: 'paths./menu/items/{itemId}.delete',
  },
  {
    change: 'a required response property removed',
    edit: (contract) => {
      const menuItem = contract.components.schemas.MenuItem;
      menuItem.required = menuItem.required.filter((name: string) => name !== 'available');
    },
    path: 'components.schemas.MenuItem.required[available]',
  },
  {
    change: 'a request property made required',
    edit: (contract) => contract.components.schemas.PlaceOrderRequest.required.push('notes'),
    path: 'components.schemas.PlaceOrderRequest.required[notes]',
  },
  {
    change: 'a response enum value added',
    edit: (contract) => contract.components.schemas.OrderStatus.enum.push('lost_in_the_oven'),
    path: 'components.schemas.OrderStatus.enum[lost_in_the_oven]',
  },
  {
    change: "the limit parameter's maximum lowered",
    edit: (contract) => (contract.components.parameters.Limit.schema.maximum = 50),
    path: 'paths./orders.get.parameters[limit].schema.maximum',
  },
  {
    change: 'a path renamed',
    edit: (contract) => {
      contract.paths['/menu/extras'] = contract.paths['/menu/toppings'];
      delete contract.paths['/menu/toppings'];
    },
    path: 'paths./menu/toppings.get',
  },
];

const nonBreakingChanges: Plant[] = [
  {
    change: 'an optional request field added',
    edit: (contract) =>
      (contract.components.schemas.PlaceOrderRequest.properties.giftMessage = {
        type: 'string',
        description: 'A message for the card that comes with the order.',
        maxLength: 200,
        examples: ['Happy birthday!'],
      }),
    path: 'components.schemas.PlaceOrderRequest.properties.giftMessage',
  },
  {
    change: 'a new operation added',
    edit: (contract) =>
      (contract.paths['/menu/specials'] = {
        get: {
          operationId: 'listSpecials',
          summary: "List today's specials",
          description: 'The items on special today.',
          tags: ['Menu'],
          security: [],
          responses: {
            '200': {
              description: "Today's specials.",
              content: { 'application/json': { schema: { $ref: '#/components/schemas/MenuItemList' } } },
            },
          },
        },
      }),
    path: 'paths./menu/specials.get',
  },
];

describe('the contract check against the last release', () => {
  let scratch: string;
  let basePath: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'pizza-contract-diff-'));
    basePath = join(scratch, '0.1.0.yaml');
    await writeFile(basePath, await readFile(contractPath, 'utf8'));
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  /** Writes the current contract with `plant`'s edit as a file of its own and returns its path. */
  async function writePlanted(plant: Plant): Promise<string> {
    const contract: Contract = parse(await readFile(contractPath, 'utf8'));
    plant.edit(contract);
    const path = join(await mkdtemp(join(scratch, 'head-')), 'pizza-place.yaml');
    await writeFile(path, stringify(contract, { aliasDuplicateObjects: false }));
    return path;
  }

  it('passes an unchanged contract and reports no changes', async () => {
    const { exitCode, output } = await contractDiff('check', '--base', basePath, '--head', contractPath, '--version', '0.1.0');

    expect(exitCode).toBe(0);
    expect(output).toContain('0 breaking, 0 non-breaking, 0 annotation');
  });

  it.each(breakingChanges)('refuses $change without a minor version bump, naming $path', async (plant) => {
    const head = await writePlanted(plant);

    const { exitCode, output } = await contractDiff('check', '--base', basePath, '--head', head, '--version', '0.1.0');

    expect(exitCode).toBe(1);
    expect(output).toMatch(new RegExp(`^breaking .*${escapeRegExp(plant.path)}`, 'm'));
    expect(output).toContain('need version 0.2.0 or later');
  });

  it.each(nonBreakingChanges)('accepts $change at the same version, naming $path', async (plant) => {
    const head = await writePlanted(plant);

    const { exitCode, output } = await contractDiff('check', '--base', basePath, '--head', head, '--version', '0.1.0');

    expect(exitCode).toBe(0);
    expect(output).toMatch(new RegExp(`^non-breaking .*${escapeRegExp(plant.path)}`, 'm'));
    expect(output).toContain('0 breaking, 1 non-breaking');
  });

  it('accepts a breaking change once the version is bumped to 0.2.0', async () => {
    const head = await writePlanted(breakingChanges[4] as Plant);

    const { exitCode, output } = await contractDiff('check', '--base', basePath, '--head', head, '--version', '0.2.0');

    expect(exitCode).toBe(0);
    expect(output).toContain('components.parameters.Limit.schema.maximum  replaced `maximum`: 100 → 50');
    expect(output).toContain('1 breaking, 0 non-breaking, 0 annotation');
  });

  it('writes the release section of the changelog once, however often it runs', async () => {
    const head = await writePlanted(breakingChanges[0] as Plant);
    const changelog = join(scratch, 'CHANGELOG.md');
    await writeFile(changelog, '# Changelog\n\n## [0.1.0] - 2026-11-26\n\nThe first release.\n');
    const write = () => contractDiff('changelog', '--base', basePath, '--head', head, '--version', '0.2.0', '--changelog', changelog);

    expect((await write()).exitCode).toBe(0);
    const once = await readFile(changelog, 'utf8');
    expect((await write()).exitCode).toBe(0);

    expect(await readFile(changelog, 'utf8')).toBe(once);
    expect(once).toMatch(/^# Changelog\n\n## \[0\.2\.0\] - \d{4}-\d{2}-\d{2}\n/);
    expect(once).toContain('### Breaking\n\n- Removed operation DELETE /menu/items/{itemId} at `paths./menu/items/{itemId}.delete`.\n');
    expect(once).toContain('## [0.1.0] - 2026-11-26\n\nThe first release.\n');
  });

  it('writes an Unreleased section while the version equals the last release', async () => {
    const head = await writePlanted(nonBreakingChanges[1] as Plant);
    const changelog = join(scratch, 'CHANGELOG-unreleased.md');
    await writeFile(changelog, '# Changelog\n\n## [0.1.0] - 2026-11-26\n\nThe first release.\n');

    const { exitCode } = await contractDiff('changelog', '--base', basePath, '--head', head, '--version', '0.1.0', '--changelog', changelog);

    expect(exitCode).toBe(0);
    expect(await readFile(changelog, 'utf8')).toContain('## [Unreleased]\n\nChanges to the contract since 0.1.0');
  });

  it('passes on the repository as it stands (npm run check:breaking)', async () => {
    const { exitCode, output } = await run('npm', ['run', '-s', 'check:breaking']);

    expect(output).toContain('The contract check passed');
    expect(exitCode).toBe(0);
  });
});

describe('the version a breaking change needs', () => {
  const breaking: ContractChange[] = [
    {
      class: 'breaking',
      deprecation: false,
      action: 'remove',
      path: 'paths./menu/toppings.get',
      description: 'removed operation GET /menu/toppings',
      seenAt: [],
      operations: ['GET /menu/toppings'],
    },
  ];

  it('is the next minor version before 1.0.0: 0.1.1 is not enough, 0.2.0 is', () => {
    expect(requiredBump('0.1.0', breaking)).toEqual({ bump: 'minor', atLeast: '0.2.0' });
    expect(checkVersion('0.1.0', '0.1.1', breaking).ok).toBe(false);
    expect(checkVersion('0.1.0', '0.2.0', breaking).ok).toBe(true);
  });

  it('is the next major version from 1.0.0 on: 1.2.3 needs 2.0.0', () => {
    expect(requiredBump('1.2.3', breaking)).toEqual({ bump: 'major', atLeast: '2.0.0' });
    expect(checkVersion('1.2.3', '1.3.0', breaking).ok).toBe(false);
    expect(checkVersion('1.2.3', '2.0.0', breaking).ok).toBe(true);
  });

  it('needs no bump without breaking changes, but never a version older than the release', () => {
    expect(requiredBump('0.1.0', [])).toEqual({ bump: 'none', atLeast: '0.1.0' });
    expect(checkVersion('0.1.0', '0.1.0', []).ok).toBe(true);
    expect(checkVersion('0.2.0', '0.1.0', []).ok).toBe(false);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
