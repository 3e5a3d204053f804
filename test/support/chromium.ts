import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, which `.ci/run` installs; Playwright's own browser download cannot reach its host here. */
export const chromiumPath = '/usr/bin/chromium';

/** Why the browser tests cannot run here, if they cannot; in CI a missing Chromium is an error instead. */
export function chromiumUnavailableReason(): string | undefined {
  if (existsSync(chromiumPath)) return undefined;
  const reason = `Chromium is not installed at ${chromiumPath} (apt-get install chromium)`;
  if (process.env.CI === 'true') throw new Error(`${reason}: CI must run the browser tests`);
  return reason;
}

/** Headless Chromium as root in a container: no sandbox, no GPU, and none of its own calls home. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}
