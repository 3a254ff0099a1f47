import { createServer, STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import pino, { type Logger } from 'pino';
import { createApp } from '../api/app.js';
import { TokenRegistry } from '../api/auth.js';
import { webRouter } from '../web/serve.js';
import { openServices, type ServiceOptions, type Services } from './app/services.js';
import type { Config } from './config.js';
import { seedDemo } from './demo/seed.js';
import { redactConnectionString } from './store/esdb/index.js';

export interface RunningServer {
  url: string;
  port: number;
  services: Services;
  tokens: TokenRegistry;
  server: Server;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Overrides for tests: an existing store, a fixed clock. */
  services?: Partial<ServiceOptions>;
}

/** Opens the store, catches the read models up, seeds the demo into an empty ledger, and listens. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? pino({ level: config.LOG_LEVEL, redact: ['req.headers.authorization', '*.secret', '*.token'] });
  const tokens = TokenRegistry.fromConfig({ tokens: config.LEDGER_TOKENS, tokensFile: config.LEDGER_TOKENS_FILE });
  const where = config.LEDGER_STORE === 'esdb' ? redactConnectionString(config.ESDB_CONNECTION_STRING ?? '') : config.LEDGER_DB;
  const services = await openServices({
    store: config.LEDGER_STORE,
    dbPath: config.LEDGER_DB,
    esdbConnectionString: config.ESDB_CONNECTION_STRING,
    stateDbPath: config.LEDGER_STATE_DB,
    signingKeyPath: config.LEDGER_SIGNING_KEY,
    onError: (error) => logger.error({ err: error }, 'background failure'),
    ...options.services,
  });
  await services.store.ping().catch((error: unknown) => logger.error({ store: config.LEDGER_STORE, at: where, reason: String(error instanceof Error ? error.message : error) }, 'store unreachable at start'));

  const { app, endLiveStreams } = createApp({
    services,
    tokens,
    logger,
    publicRead: config.LEDGER_PUBLIC_READ ?? tokens.developmentMode,
    bodyLimit: config.LEDGER_BODY_LIMIT,
    rateLimitPerMinute: config.LEDGER_RATE_LIMIT,
    ...(config.LEDGER_TRUST_PROXY === undefined ? {} : { trustProxy: trustProxy(config.LEDGER_TRUST_PROXY) }),
    corsOrigins: config.LEDGER_CORS_ORIGINS?.split(',').map((s) => s.trim()).filter(Boolean),
    web: webRouter(),
  });
  let server: Server;
  try {
    server = await listen(createServer(HTTP_TIMEOUTS, app), config.PORT, config.HOST);
    if (config.LEDGER_MAX_CONNECTIONS > 0) server.maxConnections = config.LEDGER_MAX_CONNECTIONS;
  } catch (error) {
    await services.close().catch((closeError: unknown) => logger.error({ err: closeError }, 'could not close the store after a failed start'));
    throw error;
  }
  server.on('clientError', answerClientError);
  // Only a server that is up reports its catch-up and seeds the demo: one that could not listen
  // has closed its store and must leave the ledger as it found it.
  services.ready
    .then(
      async () => {
        logger.info({ store: config.LEDGER_STORE, at: where, position: services.runner.position }, 'read models caught up');
        if (config.LEDGER_SEED_DEMO && (await services.store.headPosition()) === -1) {
          const { incidentId } = await seedDemo(services.ledger);
          logger.info({ incidentId }, 'empty ledger: loaded the Sky ECC demo incident');
        }
      },
      (error: unknown) => logger.error({ err: error, store: config.LEDGER_STORE, at: where }, 'could not catch up with the store; /readyz stays not ready'),
    );
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}`;
  if (tokens.devToken) {
    logger.warn({ mode: 'development' }, 'NO TOKENS CONFIGURED: development mode. Reads are public; an admin token was generated for this run only. Set LEDGER_TOKENS or LEDGER_TOKENS_FILE in production.');
    process.stderr.write(`\n  Development admin token (this run only):\n    ${tokens.devToken}\n  Try: curl -H "Authorization: Bearer ${tokens.devToken}" ${url}/api/incidents\n\n`);
  }
  logger.info({ url, store: config.LEDGER_STORE, at: where }, `Incident Ledger listening on ${url}`);

  let closing: Promise<void> | undefined;
  // Once shutdown began, a keep-alive connection is closed as soon as its last response is out,
  // instead of idling until the forced close.
  server.on('request', (_req, res) => res.once('finish', () => void (closing && setImmediate(() => server.closeIdleConnections()))));
  return {
    url,
    port,
    services,
    tokens,
    server,
    close: () =>
      (closing ??= (async () => {
        // Stop taking connections, let in-flight requests finish, then close the store cleanly.
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          endLiveStreams();
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), 5_000).unref();
        });
        await services.close();
      })()),
  };
}

/** Why a server could not listen, as the errno codes Node reports it. */
const LISTEN_PROBLEMS: Record<string, string> = {
  EADDRINUSE: 'address in use',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'no such address on this machine',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (name lookup failed)',
};

/**
 * Listens, or rejects with a one-line reason. Not express's app.listen: in express 5 its callback
 * is also the 'error' handler, so a busy port or an unknown host would look like success.
 */
/** LEDGER_TRUST_PROXY as express takes it: a boolean, a number of hops, or the addresses as written. */
function trustProxy(value: string): boolean | number | string {
  if (value === 'true' || value === 'false') return value === 'true';
  return /^\d+$/.test(value) ? Number(value) : value;
}

/**
 * How long a client may take to send a request: its headers within 10 s, all of it (a body is at
 * most LEDGER_BODY_LIMIT) within 30 s, checked every second. Node's defaults (60 s and 5 min,
 * checked every 30 s) let a client that trickles bytes hold a connection for minutes without
 * ever reaching the rate limiter. A live stream is unaffected: its GET is complete at once.
 */
const HTTP_TIMEOUTS = { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000 };

function listen(server: Server, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const reason = (error.code !== undefined ? LISTEN_PROBLEMS[error.code] : undefined) ?? error.message;
      reject(new Error(`cannot listen on ${host.includes(':') ? `[${host}]` : host}:${port}: ${reason}`, { cause: error }));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(server);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * Requests Node's HTTP parser refuses before express sees them (headers over 16 kB, a broken
 * request line) get problem+json too, not Node's bare status line.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const inProgress = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (error.code === 'ECONNRESET' || !socket.writable || inProgress) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify({
    type: `https://incident-ledger.dev/problems/${status === 431 ? 'headers-too-large' : status === 408 ? 'request-timeout' : 'bad-http'}`,
    title: STATUS_CODES[status] ?? 'Bad request',
    status,
    detail: status === 431 ? 'the request line and headers exceed 16 kB' : status === 408 ? 'the request took too long to arrive' : 'the request is not valid HTTP/1.1',
  });
  // An answer to HEAD carries no body: a client reads the body's bytes as a second, broken answer.
  const toHead = isHeadRequest((error as NodeJS.ErrnoException & { rawPacket?: unknown }).rawPacket);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${toHead ? '' : body}`,
  );
}

/** Whether the bytes Node's parser refused begin with a HEAD request line. */
function isHeadRequest(rawPacket: unknown): boolean {
  return Buffer.isBuffer(rawPacket) && rawPacket.subarray(0, 5).toString('latin1') === 'HEAD ';
}
