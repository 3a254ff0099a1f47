/**
 * The server the HTTP figures load, in its own process so its RSS is its own: the product's
 * composition (openServices + createApp, as src/server.ts wires them) on a ledger file, plus one
 * extra route outside /api answering a constant JSON body through the same middleware stack.
 *
 *   node --import tsx bench/http-server.ts LEDGER_DB CONSTANT_BODY_FILE TOKEN
 *
 * Tells its parent {type:'ready', port, readyMs}; answers {type:'stats'} with its memory; exits on {type:'close'}.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import express from 'express';
import pino from 'pino';
import { createApp } from '../api/app.js';
import { TokenRegistry } from '../api/auth.js';
import { turnOffPretenuring } from '../src/app/heap-tuning.js';
import { openServices } from '../src/app/services.js';

export interface ServerStats {
  type: 'stats';
  maxRssMiB: number;
  rssMiB: number;
  heapUsedMiB: number;
}
export type ServerMessage = { type: 'ready'; port: number; readyMs: number; resumedFrom: number } | ServerStats | { type: 'error'; message: string };

const [dbPath, constantFile, token] = process.argv.slice(2);
if (!dbPath || !constantFile || !token || !process.send) throw new Error('usage: http-server.ts LEDGER_DB CONSTANT_BODY_FILE TOKEN (as a forked child)');
const send = (message: ServerMessage): void => void process.send?.(message);

try {
  const started = performance.now();
  const constant = readFileSync(constantFile, 'utf8');
  const created = JSON.stringify({ assertionId: '01HZZZZZZZZZZZZZZZZZZZZZZZ', revision: 1 });
  // Request logs at info, as in production, into /dev/null rather than a terminal.
  const logger = pino({ level: 'info' }, pino.destination('/dev/null'));
  // As `serve` runs the server.
  turnOffPretenuring();
  const services = await openServices({ store: 'sqlite', dbPath, onError: (e) => logger.error({ err: e }, 'background failure') });
  await services.ready;
  const web = express.Router();
  web.get('/bench/constant', (_req, res) => void res.type('application/json').send(constant));
  web.post('/bench/constant', (_req, res) => void res.status(201).type('application/json').send(created));
  const { app } = createApp({
    services,
    tokens: TokenRegistry.fromConfig({ tokens: `bench:admin:${token}` }),
    logger,
    publicRead: false,
    rateLimitPerMinute: 0,
    web,
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  send({ type: 'ready', port, readyMs: performance.now() - started, resumedFrom: services.runner.resumedFrom });

  process.on('message', (message: { type?: string }) => {
    if (message.type === 'stats') {
      const memory = process.memoryUsage();
      send({ type: 'stats', maxRssMiB: process.resourceUsage().maxRSS / 1024, rssMiB: memory.rss / 2 ** 20, heapUsedMiB: memory.heapUsed / 2 ** 20 });
    } else if (message.type === 'close') {
      server.closeAllConnections();
      server.close(() => void services.close().then(() => process.exit(0)));
    }
  });
  process.on('disconnect', () => process.exit(0));
} catch (error) {
  send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
}
