import type { Command } from 'commander';
import { loadConfig } from '../config.js';

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
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(2);
      }
      // Loaded on use, so the auditor's commands do not pay for express and the web page.
      const [{ startServer }, { turnOffPretenuring }] = await Promise.all([import('../server.js'), import('../app/heap-tuning.js')]);
      turnOffPretenuring();
      const running = await startServer(config);
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
