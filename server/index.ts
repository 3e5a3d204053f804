/** Starts the Pizza Place API server: `npx tsx server/index.ts`. Configuration comes from the environment. */
import { ConfigError, loadConfig, type Config } from './config.ts';
import { startServer } from './start.ts';

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

const config = configOrExit();
const server = await startServer(config).catch((error: unknown) => {
  console.error('The server could not start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
server.logger.info({ url: server.url, docs: `${server.url}/docs` }, `Pizza Place API at ${server.url} (API reference: ${server.url}/docs)`);

// Certificate renewals (ACME clients every 60–90 days) take effect without a restart: `kill -HUP <pid>`.
process.on('SIGHUP', () => server.reloadTls());

function shutDown(signal: NodeJS.Signals) {
  server.logger.info({ signal }, 'shutting down: finishing requests in flight');
  server.close().then(
    () => {
      server.logger.info('stopped');
      process.exit(0);
    },
    (error: unknown) => {
      server.logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    },
  );
}

process.once('SIGTERM', shutDown);
process.once('SIGINT', shutDown);
