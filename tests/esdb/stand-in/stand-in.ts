import { randomUUID } from 'node:crypto';
import { Server, ServerCredentials, status } from '@grpc/grpc-js';
import { appendHandler, batchAppendHandler, type AppendCounters } from './append.js';
import { StandInLog, type WriteResult } from './log.js';
import { rpcError, serverFeaturesGrpc, serverFeaturesPb, streamsGrpc } from './proto.js';
import { readHandler, type Outbox } from './read.js';

export interface EsdbStandInOptions {
  /** Advertise Streams.BatchAppend in ServerFeatures; the client then appends through it (default true). */
  batchAppend?: boolean;
  /** Answer ServerFeatures.GetSupportedMethods; false answers UNIMPLEMENTED like servers before 21.10 (default true). */
  serverFeatures?: boolean;
  /** Send `caught_up` when a subscription reaches the head; false behaves like servers before 23.10 (default true). */
  caughtUp?: boolean;
  /** Begin the log with a system event, as a fresh database does (default true). */
  systemEvents?: boolean;
  serverVersion?: string;
}

const STREAMS_SERVICE = 'event_store.client.streams.streams';
const FEATURES_SERVICE = 'event_store.client.server_features.serverfeatures';

/**
 * A TEST DOUBLE of EventStoreDB: an in-process gRPC server speaking the protocol
 * @eventstore/db-client speaks (Streams.Read, Append, BatchAppend and
 * ServerFeatures.GetSupportedMethods), with the server's rules for expected revisions,
 * idempotent appends, $all positions and catch-up subscriptions. In memory, insecure,
 * on 127.0.0.1 only. stop() drops every connection and keeps the data; start() again listens
 * on the same port, so clients can be tested reconnecting.
 */
export class EsdbStandIn {
  readonly log: StandInLog;
  /** How many Append and BatchAppend calls arrived: which path the client chose. */
  readonly calls: AppendCounters = { append: 0, batchAppend: 0 };
  private server: Server | undefined;
  private boundPort: number | undefined;
  private readonly live = new Set<Outbox>();
  private readonly options: Required<EsdbStandInOptions>;

  constructor(options: EsdbStandInOptions = {}) {
    this.options = {
      batchAppend: options.batchAppend ?? true,
      serverFeatures: options.serverFeatures ?? true,
      caughtUp: options.caughtUp ?? true,
      systemEvents: options.systemEvents ?? true,
      serverVersion: options.serverVersion ?? '24.10.0 (stand-in)',
    };
    this.log = new StandInLog(this.options.systemEvents);
  }

  static async start(options?: EsdbStandInOptions): Promise<EsdbStandIn> {
    const standIn = new EsdbStandIn(options);
    await standIn.start();
    return standIn;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  get port(): number {
    if (this.boundPort === undefined) throw new Error('the EventStoreDB stand-in has not been started');
    return this.boundPort;
  }

  get connectionString(): string {
    return `esdb://127.0.0.1:${this.port}?tls=false`;
  }

  /** Listens on an ephemeral port the first time, and on the same port after stop(). */
  async start(): Promise<void> {
    if (this.server) return;
    const server = new Server();
    server.addService(streamsGrpc.StreamsService, {
      read: readHandler({ log: this.log, sendCaughtUp: this.options.caughtUp, live: this.live }),
      append: appendHandler(this.log, this.calls),
      batchAppend: batchAppendHandler(this.log, this.calls),
    });
    server.addService(serverFeaturesGrpc.ServerFeaturesService, {
      getSupportedMethods: (_call: unknown, callback: (error: Error | null, value?: InstanceType<typeof serverFeaturesPb.SupportedMethods>) => void) => {
        if (!this.options.serverFeatures) return callback(rpcError(status.UNIMPLEMENTED, 'Method not found'));
        callback(null, this.supportedMethods());
      },
    });
    this.boundPort = await bind(server, this.boundPort ?? 0);
    this.server = server;
  }

  /** Drops every connection at once, like a crashed or restarted server. The data stays. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.forceShutdown();
    for (const out of [...this.live]) out.abandon();
    this.live.clear();
  }

  /** Forgets every event (open subscriptions end with UNAVAILABLE) and the call counts. */
  reset(): void {
    this.log.reset();
    this.calls.append = 0;
    this.calls.batchAppend = 0;
  }

  /** Writes events directly, skipping the protocol: system events, or data another writer left behind. */
  writeDirect(stream: string, events: ReadonlyArray<{ type: string; data?: unknown; metadata?: unknown; id?: string }>): WriteResult {
    return this.log.writeUnchecked(
      stream,
      events.map((e) => ({
        id: e.id ?? randomUUID(),
        type: e.type,
        contentType: 'application/json',
        data: Buffer.from(JSON.stringify(e.data ?? {})),
        metadata: e.metadata === undefined ? new Uint8Array() : Buffer.from(JSON.stringify(e.metadata)),
      })),
    );
  }

  private supportedMethods(): InstanceType<typeof serverFeaturesPb.SupportedMethods> {
    const method = (service: string, name: string, features: string[] = []) =>
      new serverFeaturesPb.SupportedMethod().setServiceName(service).setMethodName(name).setFeaturesList(features);
    const methods = [
      method(STREAMS_SERVICE, 'read', ['position', 'events']),
      method(STREAMS_SERVICE, 'append'),
      ...(this.options.batchAppend ? [method(STREAMS_SERVICE, 'batchappend')] : []),
      method(FEATURES_SERVICE, 'getsupportedmethods'),
    ];
    return new serverFeaturesPb.SupportedMethods().setMethodsList(methods).setEventStoreServerVersion(this.options.serverVersion);
  }
}

/** Binds 127.0.0.1 only. Rebinding a port just released can race its teardown, so retry briefly. */
async function bind(server: Server, port: number): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await new Promise<number>((resolve, reject) =>
        server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
      );
    } catch (error) {
      if (port === 0 || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
