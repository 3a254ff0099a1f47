import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { errorMessage, usageError } from './io.js';

export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the API and the incident page (configuration from the environment; see README)')
    .option('-p, --port <port>', 'port to listen on (overrides PORT)')
    .option('--host <host>', 'address to bind (overrides HOST)')
    .action(async (opts: { port?: string; host?: string }) => {
      let config;
      try {
        config = loadConfig({ ...process.env, ...(opts.port ? { PORT: opts.port } : {}), ...(opts.host ? { HOST: opts.host } : {}) });
      } catch (error) {
        throw usageError(errorMessage(error));
      }
      // Loaded on use, so the auditor's commands do not pay for express and the web page.
      const [{ startServer }, { turnOffPretenuring }] = await Promise.all([import('../server.js'), import('../app/heap-tuning.js')]);
      turnOffPretenuring();
      let running;
      try {
        running = await startServer(config);
      } catch (error) {
        // Nothing is served (a busy port, a host that does not resolve, a store that will not
        // open), and startServer closed what it opened: the command ends with exit 2 and the reason.
        throw usageError(errorMessage(error));
      }
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`${signal}: finishing in-flight requests and closing the store\n`);
        running.close().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`shutdown failed: ${String(error)}\n`);
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
}
