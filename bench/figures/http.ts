import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { ServerMessage, ServerStats } from '../http-server.js';
import { log } from '../measure.js';

const SERVER = fileURLToPath(new URL('../http-server.ts', import.meta.url));

export interface Load {
  requestsPerSecond: number;
  p99Ms: number;
  p50Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
}

export interface HttpResults {
  readyMs: number;
  resumedFrom: number;
  timeline: Load;
  constantGet: Load;
  assertion: Load;
  constantPost: Load;
  /** Peak RSS of the server holding the ledger, after warming its cache and all the loads. */
  serving: ServerStats;
  /** Peak RSS of the same server on an empty ledger under the constant-body load. */
  empty: ServerStats;
}

export interface Child {
  process: ChildProcess;
  port: number;
  readyMs: number;
  resumedFrom: number;
  next(type: ServerMessage['type']): Promise<ServerMessage>;
  close(): Promise<void>;
}

export async function startServer(dbPath: string, constantFile: string, token: string, execArgv: string[] = []): Promise<Child> {
  const child = fork(SERVER, [dbPath, constantFile, token], { execArgv: [...execArgv, '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting: Array<{ type: ServerMessage['type']; resolve: (m: ServerMessage) => void }> = [];
  child.on('message', (message: ServerMessage) => {
    const i = waiting.findIndex((w) => w.type === message.type || message.type === 'error');
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(message);
  });
  const next = (type: ServerMessage['type']): Promise<ServerMessage> =>
    new Promise((resolve, reject) => {
      waiting.push({ type, resolve });
      child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    });
  const ready = await next('ready');
  if (ready.type !== 'ready') throw new Error(`bench server failed: ${ready.type === 'error' ? ready.message : ready.type}`);
  return {
    process: child,
    port: ready.port,
    readyMs: ready.readyMs,
    resumedFrom: ready.resumedFrom,
    next,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send({ type: 'close' });
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

async function stats(child: Child): Promise<ServerStats> {
  const reply = child.next('stats');
  child.process.send({ type: 'stats' });
  const message = await reply;
  if (message.type !== 'stats') throw new Error('bench server did not report its memory');
  return message;
}

export async function load(options: autocannon.Options): Promise<Load> {
  const result = await autocannon({ connections: 50, ...options });
  return {
    requestsPerSecond: result.requests.average,
    p99Ms: result.latency.p99,
    p50Ms: result.latency.p50,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

export interface HttpPlan {
  dbPath: string;
  emptyDbPath: string;
  workDir: string;
  incidentId: string;
  /** Incidents to read once before the load, so the read cache is as full as a busy server's. */
  warm: readonly string[];
  sourceId: string;
  fact: string;
  constantBody: string;
  seconds: number;
}

/** GET timeline and POST assertion under autocannon (50 connections, 127.0.0.1) beside the same app answering a constant body. */
export async function httpFigures(plan: HttpPlan): Promise<HttpResults> {
  const token = randomBytes(18).toString('base64url');
  const constantFile = join(plan.workDir, 'constant.json');
  writeFileSync(constantFile, plan.constantBody);
  const headers = { authorization: `Bearer ${token}` };
  // The empty-ledger server starts meanwhile: it idles until its own load, after the others.
  const idleStarting = startServer(plan.emptyDbPath, constantFile, token);
  idleStarting.catch(() => undefined);
  const child = await startServer(plan.dbPath, constantFile, token);
  let results: Omit<HttpResults, 'empty'> | undefined;
  try {
    const base = `http://127.0.0.1:${child.port}`;
    for (const id of plan.warm) {
      const response = await fetch(`${base}/api/incidents/${id}/timeline`, { headers });
      if (!response.ok) throw new Error(`warming ${id}: HTTP ${response.status}`);
      await response.arrayBuffer();
    }
    const duration = plan.seconds;
    log(`  HTTP: GET constant, GET timeline, POST constant, POST assertion, ${duration} s each`);
    const constantGet = await load({ url: `${base}/bench/constant`, headers, duration });
    const timeline = await load({ url: `${base}/api/incidents/${plan.incidentId}/timeline`, headers, duration });
    const body = JSON.stringify({
      fact: plan.fact,
      value: { type: 'quantity', value: 170_000, approximate: true, unit: 'users', text: 'around 170,000' },
      validTime: '2021-03-09',
      sourceId: plan.sourceId,
      citation: { url: 'https://news.example.org/bench', title: 'Benchmark article', publishedAt: '2021-03-10', language: 'en' },
      quote: 'Het parket spreekt van ongeveer 170.000 gebruikers wereldwijd.',
    });
    const post = { method: 'POST' as const, headers: { ...headers, 'content-type': 'application/json' }, body, duration };
    const constantPost = await load({ ...post, url: `${base}/bench/constant` });
    const assertion = await load({ ...post, url: `${base}/api/incidents/${plan.incidentId}/assertions` });
    results = { readyMs: child.readyMs, resumedFrom: child.resumedFrom, timeline, constantGet, assertion, constantPost, serving: await stats(child) };
  } finally {
    await child.close();
    if (!results) await idleStarting.then((idle) => idle.close(), () => undefined);
  }

  const idle = await idleStarting;
  try {
    await load({ url: `http://127.0.0.1:${idle.port}/bench/constant`, headers, duration: 1 });
    return { ...results, empty: await stats(idle) };
  } finally {
    await idle.close();
  }
}
