import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';

/** What the browser tests share: Debian's Chromium, launched headless, and a watch on each page. */

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`\n  Chromium not found at ${CHROMIUM}: browser tests skipped\n`);

/** Headless Chromium with one context in UTC and British English, so dates render the same everywhere. */
export async function launchChromium(): Promise<{ browser: Browser; context: BrowserContext }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return { browser, context: await browser.newContext({ timezoneId: 'UTC', locale: 'en-GB' }) };
}

/**
 * Records what must never happen on a page: an uncaught error, a Content-Security-Policy
 * violation, a dialog (a script ran). A test checks the list is empty before closing the page.
 */
export function watch(page: Page, problems: Map<Page, string[]>): void {
  const seen: string[] = [];
  problems.set(page, seen);
  page.on('pageerror', (error) => seen.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    seen.push(`dialog (a script ran): ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) seen.push(`CSP: ${message.text()}`);
  });
}

/** A JSON GET (or any request) against the server's API, throwing on a non-2xx answer. */
export function apiOf(baseUrl: () => string) {
  return async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(`${baseUrl()}/api${path}`, init);
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
}

/**
 * The server the page is tested against, on 127.0.0.1 with its ledger in `dir`: public reads, one
 * editor token, logs off, and no rate limit (every page load is a few dozen requests from one
 * address; the limit is not what these tests are about). `env` adds or overrides settings.
 */
export async function startPageServer(dir: string, editor: { actor: string; token: string }, env: Record<string, string> = {}): Promise<RunningServer> {
  const config = loadConfig({
    LEDGER_DB: join(dir, 'ledger.db'),
    HOST: '127.0.0.1',
    PORT: '0',
    LEDGER_TOKENS: `${editor.actor}:editor:${editor.token}`,
    LEDGER_PUBLIC_READ: 'true',
    LOG_LEVEL: 'silent',
    LEDGER_RATE_LIMIT: '0',
    ...env,
  });
  return startServer(config, { logger: pino({ level: 'silent' }) });
}
