import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configVariables } from '../server/config.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

describe('the README', () => {
  it.each(configVariables.map((variable) => [variable.name]))('documents the setting %s', (name) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${name}\` \\|`, 'm'));
  });

  it('opens with the two set-up commands, both of which exist', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
    expect(packageJson.scripts.start).toBeDefined();
    expect(packageJson.scripts.test).toBeDefined();
  });

  it.each(Object.keys(packageJson.scripts).map((name) => [name]))('lists the script %s', (name) => {
    expect(readme).toMatch(new RegExp(`\`npm (run )?${name.replace(':', '\\:')}\``));
  });
});
