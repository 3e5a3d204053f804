/**
 * Guards the contract against breaking changes: compares the last release snapshot
 * (`openapi/releases/<version>.yaml`) with `openapi/pizza-place.yaml` using api-smart-diff's
 * OpenAPI 3 rules, and either checks that `package.json`'s version is bumped as semver asks
 * (`check`) or writes the release's section of `CHANGELOG.md` (`changelog`).
 *
 * @example
 * npm run check:breaking
 * tsx openapi/tools/contract-diff.ts check --base old.yaml --head new.yaml --version 0.2.0
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { apiCompare, type Diff } from 'api-smart-diff';
import { parse } from 'yaml';

/** How a change affects clients written against the previous release. */
export type ChangeClass = 'breaking' | 'non-breaking' | 'annotation';

/** One edit to the contract, however many operations see it through `$ref`s. */
export interface ContractChange {
  class: ChangeClass;
  /** api-smart-diff reported a deprecation (counted as non-breaking). */
  deprecation: boolean;
  action: Diff['action'];
  /** Where the contract was edited, e.g. `components.parameters.Limit.schema.maximum`. */
  path: string;
  /** What happened in plain words, e.g. ``replaced `maximum`: 100 → 50``. */
  description: string;
  /** The places in operations and webhooks that see this edit through `$ref`s. */
  seenAt: string[];
  /** The operations that see it, e.g. `GET /orders`. */
  operations: string[];
}

/** The version a release needs and whether the declared one is enough. */
export interface VersionVerdict {
  ok: boolean;
  /** The lowest version a release carrying the changes may have. */
  needed: string;
  message: string;
}

const severity: Record<ChangeClass, number> = { breaking: 2, 'non-breaking': 1, annotation: 0 };
const documentationKeywords = new Set(['description', 'summary', 'title', 'example', 'examples', 'externalDocs']);
const operationRoots = new Set(['paths', 'webhooks']);
const httpMethods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/**
 * Compares two parsed contracts and returns their differences, one per edit, in document order.
 *
 * api-smart-diff resolves `$ref`s itself and reports a change to a shared component once per place
 * that uses it (classified for that place: request, response or parameter) and once more under
 * `components` (classified without that context). Each report is traced back through the `$ref`s
 * to the place that was edited; reports of the same edit become one change whose class is the most
 * severe one seen from operations and webhooks.
 */
export function diffContracts(base: unknown, head: unknown): ContractChange[] {
  const { diffs } = apiCompare(structuredClone(base), structuredClone(head));
  const reportsByEdit = new Map<string, Report[]>();
  for (const diff of diffs.filter((report) => !isReleaseVersion(report.path))) {
    const trace = traceDiff(diff, diff.action === 'add' ? head : base);
    const key = `${diff.action} ${formatPath(trace.source)}`;
    reportsByEdit.set(key, [...(reportsByEdit.get(key) ?? []), { diff, trace }]);
  }
  return [...reportsByEdit.values()].map((reports) => toChange(reports as [Report, ...Report[]]));
}

/** One of api-smart-diff's reports with where it was seen and where the edit was made. */
interface Report {
  diff: Diff;
  trace: Trace;
}

function toChange(reports: [Report, ...Report[]]): ContractChange {
  const [{ diff: first, trace }] = reports;
  const fromOperations = reports.filter(({ diff }) => operationRoots.has(String(diff.path[0])));
  const path = formatPath(trace.source);
  return {
    class: mostSevere((fromOperations.length > 0 ? fromOperations : reports).map(({ diff }) => classify(diff))),
    deprecation: reports.some(({ diff }) => diff.type === 'deprecated'),
    action: first.action,
    path,
    description: describe(first, trace.source),
    seenAt: fromOperations.map((report) => formatPath(report.trace.site)).filter((site) => site !== path),
    operations: [...new Set(fromOperations.map((report) => operationName(report.trace.site)))],
  };
}

/** `info.version` is what `check` holds to the changes, not a change to list. */
function isReleaseVersion(path: Diff['path']): boolean {
  return path.length === 2 && path[0] === 'info' && path[1] === 'version';
}

/**
 * Maps api-smart-diff's five types onto three classes: `deprecated` is non-breaking (clients keep
 * working until a later release removes the thing); `unclassified` (what its rules do not cover,
 * such as examples and OpenAPI 3.1 `webhooks`) is an annotation when it only touches documentation
 * or examples, and breaking otherwise, so that nothing unknown slips through unreviewed.
 */
function classify(diff: Diff): ChangeClass {
  switch (diff.type) {
    case 'breaking':
      return 'breaking';
    case 'non-breaking':
    case 'deprecated':
      return 'non-breaking';
    case 'annotation':
      return 'annotation';
    default:
      return touchesOnlyDocumentation(diff.path) ? 'annotation' : 'breaking';
  }
}

/** Whether a path goes through a documentation keyword or an `x-` extension (not a property of that name). */
function touchesOnlyDocumentation(path: Diff['path']): boolean {
  return path.some((key, index) => {
    if (typeof key !== 'string' || path[index - 1] === 'properties') return false;
    return documentationKeywords.has(key) || key.startsWith('x-');
  });
}

function mostSevere(classes: ChangeClass[]): ChangeClass {
  return classes.reduce((worst, next) => (severity[next] > severity[worst] ? next : worst), 'annotation');
}

/** One step of a path as shown to people: a key, or an array element named by its `name` or value. */
interface Segment {
  key: string | number;
  label: string;
  /** The array element is a plain value (an `enum` or `required` entry). */
  isValue: boolean;
}

/** Where a report was seen (`site`) and where the contract was edited (`source`). */
interface Trace {
  site: Segment[];
  source: Segment[];
}

/**
 * Walks `document` along a report's path, following `$ref`s (except to a key that sits next to the
 * `$ref`) and, as api-smart-diff does, treating an operation's parameters as its own followed by
 * its path item's. When the walk gets lost, the edit is taken to be where it was seen.
 */
function traceDiff(diff: Diff, document: unknown): Trace {
  const site: Segment[] = [];
  let source: Segment[] | undefined = [];
  let node: unknown = document;
  let pathItem: unknown;
  for (const [index, key] of diff.path.entries()) {
    const target = followRefs(document, node, key);
    if (target) {
      node = target.node;
      source &&= target.path.map(keySegment);
    }
    const isLast = index === diff.path.length - 1;
    const child = index === 3 && key === 'parameters' && operationRoots.has(String(diff.path[0]))
      ? [...arrayAt(node, 'parameters'), ...arrayAt(dereference(document, pathItem), 'parameters')]
      : childAt(node, key);
    if (index === 1) pathItem = child;
    const shown = isLast && typeof key === 'number' ? (diff.action === 'add' ? diff.after : diff.before) : child;
    const segment = typeof key === 'number' ? elementSegment(key, dereference(document, shown)) : keySegment(key);
    site.push(segment);
    source?.push(segment);
    if (child === undefined && !isLast) source = undefined;
    node = child;
  }
  return { site, source: source ?? site };
}

/**
 * Follows the `$ref` chain at `node`, unless `ownKey` (the next step of a walk) sits next to the
 * `$ref`; undefined when there is nothing to follow.
 */
function followRefs(document: unknown, node: unknown, ownKey?: string | number): { node: unknown; path: string[] } | undefined {
  let found: { node: unknown; path: string[] } | undefined;
  const visited = new Set<string>();
  while (isRecord(node) && typeof node.$ref === 'string' && !(ownKey !== undefined && ownKey in node) && !visited.has(node.$ref)) {
    visited.add(node.$ref);
    const path = pointerPath(node.$ref);
    node = path.reduce<unknown>((parent, next) => childAt(parent, next), document);
    found = { node, path };
  }
  return found;
}

function dereference(document: unknown, node: unknown): unknown {
  return followRefs(document, node)?.node ?? node;
}

/** `#/components/schemas/Problem` → `['components', 'schemas', 'Problem']`. */
function pointerPath(ref: string): string[] {
  return ref.replace(/^#\/?/, '').split('/').filter(Boolean)
    .map((part) => decodeURIComponent(part).replaceAll('~1', '/').replaceAll('~0', '~'));
}

function childAt(node: unknown, key: string | number): unknown {
  return isRecord(node) || Array.isArray(node) ? (node as Record<string | number, unknown>)[key] : undefined;
}

function arrayAt(node: unknown, key: string): unknown[] {
  const value = childAt(node, key);
  return Array.isArray(value) ? value : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function keySegment(key: string | number): Segment {
  return { key, label: String(key), isValue: false };
}

function elementSegment(index: number, element: unknown): Segment {
  if (isRecord(element) && typeof element.name === 'string') return { key: index, label: element.name, isValue: false };
  const isValue = ['string', 'number', 'boolean'].includes(typeof element);
  return { key: index, label: isValue ? String(element) : String(index), isValue };
}

/** `paths./orders.get.parameters[limit].schema.maximum` */
function formatPath(segments: Segment[]): string {
  return segments
    .map((segment, index) => (typeof segment.key === 'number' ? `[${segment.label}]` : `${index > 0 ? '.' : ''}${segment.label}`))
    .join('');
}

/** `GET /orders` for a place under `paths`, `webhook orderStatusChanged` under `webhooks`. */
function operationName(site: Segment[]): string {
  const [root, name, method] = site.map((segment) => segment.label);
  const verb = method && httpMethods.has(method) ? method.toUpperCase() : '';
  return root === 'webhooks' ? `webhook ${name}` : `${verb} ${name}`.trim();
}

/** Plain words for a report: what was added, removed or replaced, with short values. */
function describe(diff: Diff, source: Segment[]): string {
  const verb = { add: 'added', remove: 'removed', replace: 'replaced', rename: 'renamed' }[diff.action];
  const last = source.at(-1);
  const labels = source.map((segment) => segment.label);
  if (last?.isValue) {
    const preposition = { add: 'to', remove: 'from', replace: 'in', rename: 'in' }[diff.action];
    return `${verb} ${JSON.stringify(diff.action === 'add' ? diff.after : diff.before)} ${preposition} \`${labels.at(-2)}\``;
  }
  if (labels.length === 3 && operationRoots.has(labels[0] ?? '') && httpMethods.has(labels[2] ?? '')) {
    return `${verb} operation ${labels[2]?.toUpperCase()} ${labels[1]}`;
  }
  const subject = labels.at(-2) === 'responses' ? `response ${last?.label}` : `\`${last?.label ?? 'document'}\``;
  return `${verb} ${subject}${describeValues(diff)}`;
}

function describeValues({ action, before, after }: Diff): string {
  if (action === 'replace') return shortValue(before) && shortValue(after) ? `: ${shortValue(before)} → ${shortValue(after)}` : '';
  const value = shortValue(action === 'add' ? after : before);
  return value ? `: ${value}` : '';
}

/** A scalar short enough to print on the change's line. */
function shortValue(value: unknown): string | undefined {
  if (!['string', 'number', 'boolean'].includes(typeof value) && value !== null) return undefined;
  const text = JSON.stringify(value);
  return text.length <= 60 ? text : undefined;
}

/**
 * What semver asks of a release carrying `changes` after `fromVersion`: a breaking change needs
 * the next major version, or the next minor one while the major version is 0 (0.1.0 → 0.2.0).
 */
export function requiredBump(fromVersion: string, changes: readonly ContractChange[]): { bump: 'major' | 'minor' | 'none'; atLeast: string } {
  const [major, minor] = parseVersion(fromVersion);
  if (!changes.some((change) => change.class === 'breaking')) return { bump: 'none', atLeast: fromVersion };
  return major === 0 ? { bump: 'minor', atLeast: `0.${minor + 1}.0` } : { bump: 'major', atLeast: `${major + 1}.0.0` };
}

/** Whether `declaredVersion` may carry `changes` made since the release `fromVersion`. */
export function checkVersion(fromVersion: string, declaredVersion: string, changes: readonly ContractChange[]): VersionVerdict {
  const { atLeast } = requiredBump(fromVersion, changes);
  if (compareVersions(declaredVersion, fromVersion) < 0) {
    return { ok: false, needed: atLeast, message: `version ${declaredVersion} is older than the last release ${fromVersion}` };
  }
  if (compareVersions(declaredVersion, atLeast) >= 0) return { ok: true, needed: atLeast, message: `version ${declaredVersion} is enough` };
  return { ok: false, needed: atLeast, message: `breaking changes since ${fromVersion} need version ${atLeast} or later; the version is ${declaredVersion}` };
}

/** `1.2.3` (a pre-release or build suffix is ignored) → `[1, 2, 3]`. */
function parseVersion(version: string): [number, number, number] {
  const match = /^(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(version);
  if (!match) throw new Error(`not a semantic version: ${version}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function compareVersions(a: string, b: string): number {
  const [left, right] = [parseVersion(a), parseVersion(b)];
  return left.map((part, index) => part - (right[index] ?? 0)).find((difference) => difference !== 0) ?? 0;
}

/** The change's line in `check`'s output: class, path, description and where else it is seen. */
export function formatChangeLine(change: ContractChange): string {
  const [first, ...others] = change.seenAt;
  const seen = !first ? '' : others.length <= 2 ? ` (seen at ${change.seenAt.join(', ')})` : ` (seen at ${first} and ${others.length} more places)`;
  return `${change.class.padEnd(12)}  ${change.path}  ${change.description}${seen}`;
}

/** `3 breaking, 19 non-breaking, 8 annotation` */
export function countByClass(changes: readonly ContractChange[]): string {
  const classes: ChangeClass[] = ['breaking', 'non-breaking', 'annotation'];
  return classes.map((name) => `${changes.filter((change) => change.class === name).length} ${name}`).join(', ');
}

/** A release's heading: a version with its date, or `Unreleased` while the version is not bumped. */
export type ChangelogRelease = { version: string; date: string } | { version: 'Unreleased' };

const changelogSections: Array<{ title: string; holds: (change: ContractChange) => boolean }> = [
  { title: 'Breaking', holds: (change) => change.class === 'breaking' },
  { title: 'Added', holds: (change) => change.class === 'non-breaking' && !change.deprecation && change.action === 'add' },
  { title: 'Changed', holds: (change) => change.class === 'non-breaking' && !change.deprecation && change.action !== 'add' },
  { title: 'Deprecated', holds: (change) => change.class === 'non-breaking' && change.deprecation },
  { title: 'Documentation', holds: (change) => change.class === 'annotation' },
];

/**
 * A Keep a Changelog section for a release: one bullet per description, naming every path it
 * applies to.
 *
 * @example
 * renderChangelogSection({ version: '0.2.0', date: '2026-12-01' }, '0.1.0', diffContracts(base, head));
 */
export function renderChangelogSection(release: ChangelogRelease, sinceVersion: string, changes: readonly ContractChange[]): string {
  const heading = 'date' in release ? `## [${release.version}] - ${release.date}` : '## [Unreleased]';
  const intro = `Changes to the contract since ${sinceVersion}, as \`npm run check:breaking\` classifies them.`;
  const sections = changelogSections.flatMap(({ title, holds }) => {
    const bullets = changelogBullets(changes.filter(holds));
    return bullets.length > 0 ? [`### ${title}\n\n${bullets.join('\n')}`] : [];
  });
  const body = sections.length > 0 ? sections : ['No changes to the contract.'];
  return `${[heading, intro, ...body].join('\n\n')}\n`;
}

/** One bullet per wording, e.g. ``- Added response 503 at `paths./me.get.responses.503`, `…`.`` */
function changelogBullets(changes: readonly ContractChange[]): string[] {
  const bullets = new Map<string, { wording: string; used: string; paths: string[] }>();
  for (const change of changes) {
    const wording = `${change.description.charAt(0).toUpperCase()}${change.description.slice(1)}`;
    const used = change.operations.length > 1 ? ` (used by ${change.operations.length} operations)` : '';
    const bullet = bullets.get(wording + used) ?? { wording, used, paths: [] };
    bullet.paths.push(`\`${change.path}\``);
    bullets.set(wording + used, bullet);
  }
  return [...bullets.values()].map(({ wording, used, paths }) => `- ${wording} at ${paths.join(', ')}${used}.`);
}

/** The date of `version`'s section in `changelog`, so that writing it again keeps it. */
export function releaseDate(changelog: string, version: string): string | undefined {
  return new RegExp(`^## \\[${version.replaceAll('.', '\\.')}\\] - (\\S+)$`, 'm').exec(changelog)?.[1];
}

/**
 * Puts `section` at the top of `changelog`'s releases, replacing an earlier section for the same
 * release and the `Unreleased` one (a release takes over what was unreleased).
 */
export function upsertChangelogSection(changelog: string, section: string): string {
  const version = /^## \[([^\]]+)\]/.exec(section)?.[1];
  const parts = changelog.split(/^(?=## )/m);
  const [preamble = '', ...releases] = /^## /.test(changelog) ? ['', ...parts] : parts;
  const kept = releases.filter((release) => !release.startsWith(`## [${version}]`) && !release.startsWith('## [Unreleased]'));
  const separated = (text: string) => `${text.trimEnd()}\n\n`;
  return `${[preamble, section, ...kept].map(separated).join('').trimEnd()}\n`;
}

const root = resolve(import.meta.dirname, '..', '..');

/** The newest `openapi/releases/<version>.yaml`. */
function latestSnapshot(directory: string): string {
  const versions = readdirSync(directory)
    .map((name) => /^(\d+\.\d+\.\d+)\.ya?ml$/.exec(name))
    .filter((match): match is RegExpExecArray => match !== null)
    .sort((a, b) => compareVersions(a[1] ?? '', b[1] ?? ''));
  const newest = versions.at(-1);
  if (!newest) throw new Error(`no release snapshot (<version>.yaml) in ${directory}`);
  return join(directory, newest[0]);
}

/** A snapshot is named after its release: `0.1.0.yaml` is release 0.1.0. */
function snapshotVersion(file: string): string {
  const version = basename(file).replace(/\.ya?ml$/, '');
  parseVersion(version);
  return version;
}

function readContract(file: string): unknown {
  return parse(readFileSync(file, 'utf8'));
}

interface CommandInput {
  changes: ContractChange[];
  baseVersion: string;
  version: string;
  changelogFile: string;
}

function check({ changes, baseVersion, version }: CommandInput): number {
  const ordered = [...changes].sort((a, b) => severity[b.class] - severity[a.class]);
  for (const change of ordered) console.log(formatChangeLine(change));
  const verdict = checkVersion(baseVersion, version, changes);
  if (!verdict.ok) {
    const breaking = changes.filter((change) => change.class === 'breaking');
    console.error(`\n✗ The contract check failed: ${verdict.message}.`);
    for (const change of breaking) console.error(`  - ${change.path}  ${change.description}`);
    console.error(`Set "version" in package.json and info.version in openapi/pizza-place.yaml to ${verdict.needed}, then run npm run changelog.`);
    return 1;
  }
  console.log(`\n✓ The contract check passed: ${countByClass(changes)} changes since ${baseVersion}; version ${version} carries them.`);
  return 0;
}

function changelog({ changes, baseVersion, version, changelogFile }: CommandInput): number {
  const current = existsSync(changelogFile) ? readFileSync(changelogFile, 'utf8') : '# Changelog\n';
  if (compareVersions(version, baseVersion) < 0) throw new Error(`version ${version} is older than the last release ${baseVersion}`);
  const release: ChangelogRelease = version === baseVersion
    ? { version: 'Unreleased' }
    : { version, date: releaseDate(current, version) ?? new Date().toISOString().slice(0, 10) };
  writeFileSync(changelogFile, upsertChangelogSection(current, renderChangelogSection(release, baseVersion, changes)));
  console.log(`Wrote the ${release.version} section of ${changelogFile}: ${countByClass(changes)} changes since ${baseVersion}.`);
  return 0;
}

const commands = { check, changelog };

function main(argv: string[]): number {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { base: { type: 'string' }, head: { type: 'string' }, version: { type: 'string' }, changelog: { type: 'string' } },
  });
  const [name = ''] = positionals;
  if (!Object.hasOwn(commands, name) || positionals.length !== 1) {
    console.error('usage: contract-diff.ts check|changelog [--base <file>] [--head <file>] [--version <semver>] [--changelog <file>]');
    return 2;
  }
  const base = values.base ?? latestSnapshot(join(root, 'openapi', 'releases'));
  const head = values.head ?? join(root, 'openapi', 'pizza-place.yaml');
  const version = values.version ?? (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  parseVersion(version);
  const changes = diffContracts(readContract(base), readContract(head));
  return commands[name as keyof typeof commands]({ changes, baseVersion: snapshotVersion(base), version, changelogFile: values.changelog ?? join(root, 'CHANGELOG.md') });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    console.error(`contract-diff: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  }
}
