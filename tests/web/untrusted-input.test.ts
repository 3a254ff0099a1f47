import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { apiOf, hasChromium, launchChromium, startPageServer, watch } from './browser.js';

/**
 * The incident page against untrusted input, in real headless Chromium: text entered through the
 * API by reporters (source names, quotes, citations, fact keys, titles), addresses a reader may
 * be sent, the API failing (a refused token, a 503), many tabs, and incidents too large to show at once.
 */


const EDITOR = 'web-editor';
const EDITOR_TOKEN = 'web-editor-secret-0123456789abcdef';
const TEST_TIMEOUT = 45_000;

/** U+202E RIGHT-TO-LEFT OVERRIDE: everything after it is laid out right to left, until a PDF. */
const RLO = '\u202E';

interface Created {
  id: string;
  revision: number;
}
interface LoadOptions {
  /** Put in sessionStorage before the page's scripts run, as if signed in earlier in the tab. */
  token?: string;
  timeout?: number;
}
interface CreatedAssertion {
  assertionId: string;
  revision: number;
}

describe.skipIf(!hasChromium)('the incident page, against hostile text and hostile circumstances', () => {
  let dir: string;
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  /** Uncaught page errors, CSP violations and dialogs (a dialog means a script ran), per page. */
  const problems = new Map<Page, string[]>();

  const api = apiOf(() => server.url);
  const post = <T>(path: string, body: unknown): Promise<T> =>
    api<T>(path, { method: 'POST', headers: { Authorization: `Bearer ${EDITOR_TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const postStatus = async (path: string, body: unknown): Promise<number> =>
    (await fetch(`${server.url}/api${path}`, { method: 'POST', headers: { Authorization: `Bearer ${EDITOR_TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).status;

  const openIncident = async (title: string, summary?: string) => (await post<Created>('/incidents', summary === undefined ? { title } : { title, summary })).id;
  const registerSource = async (name: string, kind = 'agency') => (await post<Created>('/sources', { name, kind })).id;
  const record = async (incidentId: string, body: Record<string, unknown>) => (await post<CreatedAssertion>(`/incidents/${incidentId}/assertions`, body)).assertionId;

  /** Opens the page without waiting for anything in particular; `token` goes in sessionStorage first. */
  const load = async (query: string, options: LoadOptions = {}): Promise<Page> => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    watch(page, problems);
    if (options.token) await page.addInitScript((token) => sessionStorage.setItem('incident-ledger.token', token), options.token);
    await page.goto(`${server.url}/${query}`, { waitUntil: 'domcontentloaded', timeout: options.timeout ?? 30_000 });
    return page;
  };

  /** Opens an incident and waits until its views are rendered. */
  const open = async (incidentId: string, extra = '', options: LoadOptions = {}): Promise<Page> => {
    const page = await load(`?incident=${incidentId}${extra}`, options);
    await page.locator('#incident-view:not([hidden]) #timeline-list > li').first().waitFor({ timeout: options.timeout ?? 30_000 });
    return page;
  };

  /** What the placeholder says while the incident is not shown; '(hidden)' once it is. */
  const placeholderText = (page: Page) => page.locator('#incident-placeholder').evaluate((el) => (el instanceof HTMLElement && el.hidden ? '(hidden)' : (el.textContent ?? '')));

  const close = async (page: Page) => {
    expect(problems.get(page) ?? []).toEqual([]);
    await page.close();
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-web-untrusted-'));
    server = await startPageServer(dir, { actor: EDITOR, token: EDITOR_TOKEN }, { LEDGER_SEED_DEMO: 'false' });
    await server.services.ready;
    ({ browser, context } = await launchChromium());
  }, 60_000);

  // A failed expectation skips close(): close what is left, or the pages' open live streams use up
  // the browser's six connections to the server and every later test hangs (see the tabs test).
  afterEach(async () => {
    for (const page of context?.pages() ?? []) await page.close();
    problems.clear();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // ——— What holds: markup and script-looking text stay text ———

  it('shows HTML, quotes and script-looking text from every field as text: no element is made from it, no script runs', async () => {
    const html = (tag: string) => `<img src=x onerror="alert('${tag}')"><script>alert('${tag}')</script>"'><svg onload=alert(1)>`;
    const incidentId = await openIncident(`Title ${html('title')}`, `Summary ${html('summary')}`);
    const evil = await registerSource(`Source ${html('source')}`, '<i>kind</i>"\'>');
    const other = await registerSource('Plain source');
    const first = await record(incidentId, {
      fact: 'users.total',
      value: { type: 'quantity', value: 1000, unit: '<b>u</b>', text: html('words') },
      validTime: '2021-02~',
      sourceId: evil,
      citation: { url: 'https://example.org/"onmouseover="alert(1)"<script>', title: html('citation'), publishedAt: '2021', language: 'en' },
      quote: html('quote'),
    });
    await record(incidentId, { fact: 'users.total', value: { type: 'quantity', value: 2000 }, sourceId: other, validTime: '2021-02~' });
    await post(`/incidents/${incidentId}/assertions/${first}/corrections`, { reason: `Reason ${html('reason')}`, quote: html('quote2') });
    await post(`/incidents/${incidentId}/facts/users.total/assessments`, { preferred: [first], rationale: `Rationale ${html('rationale')}` });
    // The API refuses every non-http(s) scheme for a citation, so no such link can reach the page.
    for (const url of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'JaVaScRiPt:alert(1)//http://x', ' javascript:alert(1)', 'vbscript:msgbox(1)']) {
      expect(await postStatus(`/incidents/${incidentId}/assertions`, { fact: 'x', value: { type: 'boolean', value: true }, sourceId: other, citation: { url } })).toBe(400);
    }

    const page = await open(incidentId, `&history=fact:users.total`);
    await page.locator('#history-view .history').waitFor();
    expect(await page.locator('#incident-title').textContent()).toBe(`Title ${html('title')}`);
    expect(await page.locator('body img, body svg, body script:not([src])').count()).toBe(0);
    const hrefs = await page.locator('#incident-view a[href], #incident-list a[href]').evaluateAll((els) => els.map((el) => el.getAttribute('href') ?? ''));
    for (const href of hrefs) expect(href).toMatch(/^(https?:\/\/|\?|#)/);
    await close(page);
  }, TEST_TIMEOUT);

  // ——— Text from the ledger ———

  it('keeps a bidi override in a source name from reversing the figure shown after it', async () => {
    // A reporter registers a source whose name ends in U+202E. Without isolation the override runs
    // on past the name into the value: 12 is shown as "21", 1,000 as "000,1".
    const incidentId = await openIncident('Bidi override in a source name');
    const source = await registerSource(`Europol${RLO}`);
    const assertionId = await record(incidentId, { fact: 'users.total', value: { type: 'quantity', value: 12 }, sourceId: source, validTime: '2021' });
    const page = await open(incidentId);
    const figure = page.locator(`#timeline-list li.assertion[data-assertion="${assertionId}"] .claim .value > strong`);
    expect(await figure.textContent()).toBe('12');
    const order = await figure.evaluate((el) => {
      const text = el.firstChild;
      if (!text) return 'no text';
      const range = document.createRange();
      const leftOf = (i: number) => {
        range.setStart(text, i);
        range.setEnd(text, i + 1);
        return range.getBoundingClientRect().left;
      };
      return leftOf(0) < leftOf(1) ? 'as written: 12' : 'reversed: 21';
    });
    expect(order).toBe('as written: 12');
    await close(page);
  }, TEST_TIMEOUT);

  it('shows a right-to-left source name before its figure, not with the figure pulled to its left', async () => {
    // Not even hostile: an Arabic agency's name runs into ": 2,000", and the line reads "2,000 :الاسم".
    const incidentId = await openIncident('Right-to-left source name');
    const source = await registerSource('وكالة الأنباء');
    const assertionId = await record(incidentId, { fact: 'users.total', value: { type: 'quantity', value: 2000 }, sourceId: source, validTime: '2021' });
    const page = await open(incidentId);
    const claim = page.locator(`#timeline-list li.assertion[data-assertion="${assertionId}"] .claim`);
    const box = await claim.evaluate((el) => ({
      sourceRight: el.querySelector('.source')?.getBoundingClientRect().right ?? Number.NaN,
      valueLeft: el.querySelector('.value')?.getBoundingClientRect().left ?? Number.NaN,
    }));
    expect(box.valueLeft).toBeGreaterThanOrEqual(box.sourceRight);
    await close(page);
  }, TEST_TIMEOUT);

  it('labels each dispute with its own fact, even when two fact keys differ only in ".", "_" or "-"', async () => {
    const incidentId = await openIncident('Fact keys that collide as ids');
    const a = await registerSource('Source A');
    const b = await registerSource('Source B');
    for (const fact of ['users.total', 'users-total', 'users_total']) {
      await record(incidentId, { fact, value: { type: 'boolean', value: true }, sourceId: a });
      await record(incidentId, { fact, value: { type: 'boolean', value: false }, sourceId: b });
    }
    const page = await open(incidentId);
    await page.locator('#disputes-list article.dispute').first().waitFor();
    const labels = await page.locator('#disputes-list article.dispute').evaluateAll((els) =>
      els.map((el) => {
        const label = document.getElementById(el.getAttribute('aria-labelledby') ?? '');
        return { fact: el.getAttribute('data-fact'), labelledBy: label?.textContent ?? null, ownHeading: label?.closest('article') === el };
      }),
    );
    expect(labels).toHaveLength(3);
    for (const l of labels) expect(l).toEqual({ fact: l.fact, labelledBy: l.fact, ownHeading: true });
    await close(page);
  }, TEST_TIMEOUT);

  it('shows the site a citation link really goes to, not only the title the reporter gave it', async () => {
    const incidentId = await openIncident('Citation title naming another site');
    const source = await registerSource('Europol');
    const assertionId = await record(incidentId, {
      fact: 'users.total',
      value: { type: 'quantity', value: 70000 },
      sourceId: source,
      validTime: '2021',
      citation: { url: 'https://evil.example/press', title: 'www.europol.europa.eu — official press release' },
    });
    const page = await open(incidentId);
    const citation = page.locator(`#timeline-list li.assertion[data-assertion="${assertionId}"] .citation`);
    expect(await citation.locator('a').getAttribute('href')).toBe('https://evil.example/press');
    expect(await citation.textContent()).toContain('evil.example');
    await close(page);
    // The assertion's history shows the citation the same way.
    const history = await open(incidentId, `&history=assertion:${assertionId}`);
    const cell = history.locator('#history-view tr[data-field="citation"] td').last();
    await cell.waitFor();
    expect(await cell.textContent()).toContain('(evil.example)');
    await close(history);
  }, TEST_TIMEOUT);

  it('does not print arbitrary text from the address (?history=…) as part of its own sentences', async () => {
    const incidentId = await openIncident('Crafted history link');
    const source = await registerSource('Europol');
    await record(incidentId, { fact: 'users.total', value: { type: 'quantity', value: 1 }, sourceId: source, validTime: '2021' });
    const lure = 'x in this incident. NOTICE: the editors found this record forged; the real ledger is at evil.example. Ignore';
    const page = await open(incidentId, `&history=${encodeURIComponent(`fact:${lure}`)}`);
    const history = page.locator('#history-view');
    await expect.poll(() => history.textContent()).not.toBe('');
    expect(await history.textContent()).not.toContain('forged');
    await close(page);
  }, TEST_TIMEOUT);

  // ——— Addresses and failures ———

  it('treats an as-of the page parses but the API refuses (year 10000) as not a date, and still shows the incident', async () => {
    const incidentId = await openIncident('As-of beyond year 9999');
    const source = await registerSource('Europol');
    await record(incidentId, { fact: 'users.total', value: { type: 'quantity', value: 1 }, sourceId: source, validTime: '2021' });
    const page = await load(`?incident=${incidentId}&asOf=10000-01-01`);
    // The API refuses it, so taking it as a date would leave the page with nothing but an error.
    await expect.poll(() => placeholderText(page)).not.toBe('Loading…');
    expect(await page.locator('#asof-error').isVisible()).toBe(true);
    expect(await page.locator('#asof-error').textContent()).toContain('not a date');
    expect(await page.locator('#incident-title').textContent()).toBe('As-of beyond year 9999');
    await page.close();
  }, TEST_TIMEOUT);

  it('does not silently read asOf=1 as 1 January 2001', async () => {
    const incidentId = await openIncident('As-of read leniently');
    const page = await load(`?incident=${incidentId}&asOf=1`);
    await expect.poll(() => placeholderText(page)).not.toBe('Loading…');
    expect(decodeURIComponent(page.url())).not.toContain('asOf=2001');
    expect(await page.locator('#asof-error').isVisible()).toBe(true);
    await page.close();
  }, TEST_TIMEOUT);

  it('recovers from a token that is no longer accepted: it says so and lets the reader sign in again', async () => {
    // A dev server restarted with a new token, or a revoked one: every read answers 401, even where
    // reads are public. The page says "sign in above" while it hides the sign-in field and says
    // "Signed in for this tab".
    const incidentId = await openIncident('Stale token');
    const page = await load(`?incident=${incidentId}`, { token: 'stale-token-from-before-the-restart-0123' });
    await expect.poll(() => placeholderText(page)).not.toBe('Loading…');
    expect(await page.getByLabel('Editor token').isVisible()).toBe(true);
    expect(await page.locator('#signin-status').textContent()).not.toContain('Signed in');
    // Reads are public here: the incident itself should show.
    await expect.poll(() => page.locator('#incident-title').textContent()).toBe('Stale token');
    await page.close();
  }, TEST_TIMEOUT);

  it('retries after a 503 with Retry-After instead of leaving "retry shortly" on screen until a reload', async () => {
    const incidentId = await openIncident('Briefly unavailable');
    const source = await registerSource('Europol');
    await record(incidentId, { fact: 'users.total', value: { type: 'quantity', value: 1 }, sourceId: source, validTime: '2021' });
    const page = await context.newPage();
    problems.set(page, []);
    let refused = 0;
    await page.route(
      (url) => url.pathname === `/api/incidents/${incidentId}`,
      async (route) => {
        if (refused++ === 0) {
          await route.fulfill({
            status: 503,
            headers: { 'Retry-After': '1' },
            contentType: 'application/problem+json',
            body: JSON.stringify({ type: 'https://incident-ledger.dev/problems/catching-up', title: 'Service unavailable', status: 503, detail: 'the read models are catching up with the store: retry shortly' }),
          });
        } else {
          await route.continue();
        }
      },
    );
    await page.goto(`${server.url}/?incident=${incidentId}`);
    await expect.poll(() => page.locator('#incident-placeholder').textContent()).toContain('retry shortly');
    await expect.poll(() => page.locator('#incident-title').textContent(), { timeout: 10_000 }).toBe('Briefly unavailable');
    await page.close();
  }, TEST_TIMEOUT);
  it('gives its live stream back while out of sight, so a seventh tab still loads, and listens again when shown', async () => {
    // Each tab of the page in sight holds a server-sent-event stream, one HTTP/1.1 connection, and a
    // browser opens at most six to one server.
    const incidentId = await openIncident('Many tabs');
    const source = await registerSource('Europol');
    await record(incidentId, { fact: 'users.total', value: { type: 'quantity', value: 1 }, sourceId: source, validTime: '2021' });
    const setVisibility = (page: Page, state: 'hidden' | 'visible') =>
      page.evaluate((s) => {
        Object.defineProperty(document, 'visibilityState', { value: s, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    const tabs: Page[] = [];
    for (let tab = 1; tab <= 6; tab++) {
      const page = await open(incidentId);
      await expect.poll(() => page.locator('#live-status').textContent()).toContain('Live:');
      await setVisibility(page, 'hidden');
      tabs.push(page);
    }
    const seventh = await open(incidentId, '', { timeout: 15_000 });
    expect(await seventh.locator('#incident-title').textContent()).toBe('Many tabs');
    await seventh.close();
    // Shown again, the first tab catches up on what it missed and listens again.
    await record(incidentId, { fact: 'users.monitored', value: { type: 'quantity', value: 2 }, sourceId: source, validTime: '2021' });
    await setVisibility(tabs[0]!, 'visible');
    await expect.poll(() => tabs[0]!.locator('#live-status').textContent()).toContain('Live:');
    await expect.poll(() => tabs[0]!.locator('#timeline-list li.assertion').count()).toBe(2);
    for (const page of tabs) await close(page);
  }, TEST_TIMEOUT);
  it('shows a large incident a page at a time, and builds no editing choices for a reader', async () => {
    const incidentId = await openIncident('Three hundred disputed facts');
    const a = await registerSource('Source A');
    const b = await registerSource('Source B');
    // 300 facts, each disputed by two sources; the first 250 dated.
    const work = Array.from({ length: 300 }, (_, n) => n);
    const worker = async () => {
      for (let n = work.shift(); n !== undefined; n = work.shift()) {
        const dated = n < 250 ? { validTime: `20${10 + (n % 10)}` } : {};
        await record(incidentId, { fact: `fact.${n}`, value: { type: 'boolean', value: true }, sourceId: a, ...dated });
        await record(incidentId, { fact: `fact.${n}`, value: { type: 'boolean', value: false }, sourceId: b, ...dated });
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    const page = await open(incidentId);
    const shown = (list: string) => page.locator(`#${list} > :not(.show-more)`).count();
    // The timeline has an entry per dated fact (250), the disputes one per fact (300); 50 are undated.
    expect(await shown('timeline-list')).toBe(200);
    expect(await shown('disputes-list')).toBe(200);
    expect(await shown('undated-list')).toBe(50);
    expect(await page.locator('#timeline-list .show-more').textContent()).toBe('Show 50 more (50 not shown)');
    expect(await page.locator('#disputes-list .show-more').textContent()).toBe('Show 100 more (100 not shown)');
    expect(await page.locator('#undated-list .show-more').count()).toBe(0);
    // Not signed in: the forms' choices (an option per assertion) are not built.
    expect(await page.locator('#cor-assertion option').count()).toBeLessThanOrEqual(1);

    await page.locator('#timeline-list .show-more button').click();
    await expect.poll(() => shown('timeline-list')).toBe(250);
    expect(await page.locator('#timeline-list .show-more').count()).toBe(0);
    await close(page);
  }, TEST_TIMEOUT);
  it('clears a failed refresh from the live-status line once the views load again', async () => {
    const incidentId = await openIncident('A refresh that fails once');
    const source = await registerSource('Europol');
    await record(incidentId, { fact: 'users.total', value: { type: 'quantity', value: 1 }, sourceId: source, validTime: '2021' });
    const page = await open(incidentId);
    const status = page.locator('#live-status');
    await expect.poll(() => status.textContent()).toContain('Live:');
    let failures = 1;
    await page.route(
      (url) => url.pathname === `/api/incidents/${incidentId}/timeline`,
      async (route) => (failures-- > 0 ? route.fulfill({ status: 500, contentType: 'application/problem+json', body: JSON.stringify({ title: 'Internal error', status: 500, detail: 'boom' }) }) : route.continue()),
    );
    // A search refreshes the views too: the first fails, the second loads.
    await page.locator('#search-input').fill('refresh');
    await expect.poll(() => status.textContent()).toContain('Could not load the latest changes');
    await page.locator('#search-input').fill('refresh again');
    await expect.poll(() => status.textContent()).toContain('Live:');
    await close(page);
  }, TEST_TIMEOUT);
  it('leads from a fact’s history to a retracted assertion’s own history, which no view lists any more', async () => {
    const incidentId = await openIncident('A retracted assertion');
    const source = await registerSource('Europol');
    const assertionId = await record(incidentId, { fact: 'users.total', value: { type: 'quantity', value: 7 }, sourceId: source, validTime: '2021' });
    await post(`/incidents/${incidentId}/assertions/${assertionId}/retractions`, { reason: 'recorded in error' });
    await record(incidentId, { fact: 'users.total', value: { type: 'quantity', value: 8 }, sourceId: source, validTime: '2021' });
    const page = await open(incidentId, '&history=fact:users.total');
    await page.locator('#history-view .history[data-kind="fact"]').waitFor();
    expect(await page.locator(`#incident-view li.assertion[data-assertion="${assertionId}"]`).count()).toBe(0);
    await page.locator(`#history-view button[data-action="history"][data-key="${assertionId}"]`).first().click();
    const own = page.locator(`#history-view .history[data-kind="assertion"][data-key="${assertionId}"]`);
    await own.waitFor();
    expect(await own.locator('li.revision').count()).toBe(2);
    await close(page);
  }, TEST_TIMEOUT);
});
