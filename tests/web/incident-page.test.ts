import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FactsView, IncidentPage, Timeline } from '../../projections/schemas.js';
import type { RunningServer } from '../../src/server.js';
import { apiOf, hasChromium, launchChromium, startPageServer, watch } from './browser.js';

/**
 * The incident page end to end, in real headless Chromium: the demo Sky ECC incident as the
 * server seeds it, read and edited through the page exactly as a person would.
 */


// The README's screenshots are refreshed on purpose (UPDATE_SCREENSHOTS=1 npm test), not by every
// test run: a plain run writes them to a scratch folder, so a checkout stays clean.
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'screenshots')
  : join(tmpdir(), 'incident-ledger-screenshots');
const EDITOR = 'e2e-editor';
const EDITOR_TOKEN = 'e2e-editor-secret-0123456789abcdef';
const TEST_TIMEOUT = 45_000;

describe.skipIf(!hasChromium)('the incident page, in headless Chromium', () => {
  let dir: string;
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let incidentId: string;
  /** Uncaught page errors and CSP violations, per page: any of them fails the test that saw it. */
  const problems = new Map<Page, string[]>();

  const api = apiOf(() => server.url);

  const assertionOf = async (fact: string, sourceName: string): Promise<string> => {
    const facts = await api<FactsView>(`/incidents/${incidentId}/facts`);
    const found = facts.facts.find((f) => f.fact === fact)?.assertions.find((a) => a.sourceName === sourceName);
    if (!found) throw new Error(`no assertion by ${sourceName} on ${fact}`);
    return found.assertionId;
  };

  const open = async (query = `?incident=${incidentId}`, viewport = { width: 1280, height: 900 }): Promise<Page> => {
    const page = await context.newPage();
    await page.setViewportSize(viewport);
    watch(page, problems);
    await page.goto(`${server.url}/${query}`);
    await page.locator('#timeline-list > li.entry').first().waitFor();
    return page;
  };

  const close = async (page: Page) => {
    expect(problems.get(page) ?? []).toEqual([]);
    await page.close();
  };

  const signIn = async (page: Page) => {
    await page.getByLabel('Editor token').fill(EDITOR_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.locator('#record-form').waitFor();
  };

  const shoot = async (page: Page, name: string, selector?: string) => {
    if (selector) await page.locator(selector).evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  };

  /** What the page shows as one assertion's value. */
  const shownValue = (page: Page, assertionId: string) => page.locator(`#incident-view li.assertion[data-assertion="${assertionId}"] .claim .value > strong`).first();

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'ledger-web-'));
    server = await startPageServer(dir, { actor: EDITOR, token: EDITOR_TOKEN });
    // The demo is seeded once the read models have caught up; its last event is the ruling on the 15th.
    for (let attempt = 0; ; attempt++) {
      const page = await api<IncidentPage>('/incidents').catch(() => undefined);
      const demo = page?.incidents[0];
      if (demo && demo.updatedAt.startsWith('2021-03-15')) {
        incidentId = demo.id;
        break;
      }
      if (attempt > 200) throw new Error('the demo incident was not seeded');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    ({ browser, context } = await launchChromium());
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('opens on the demo incident and finds it by searching its title', async () => {
    const page = await open('');
    await expect.poll(() => page.url()).toContain(`incident=${incidentId}`);
    const list = page.getByRole('navigation', { name: 'Incidents' });
    await expect.poll(() => list.getByRole('link').allTextContents()).toEqual([expect.stringContaining('Sky ECC: Europol says the encryption was unlocked')]);
    expect(await list.getByRole('link').getAttribute('aria-current')).toBe('page');
    await shoot(page, 'list');

    await page.getByLabel('Search titles').fill('no such words');
    await expect.poll(() => page.locator('#list-status').textContent()).toContain('No incident title matches “no such words”');
    await page.getByLabel('Search titles').fill('encryption');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => list.getByRole('link').count()).toBe(1);
    expect(page.url()).toContain('q=encryption');
    await close(page);
  }, TEST_TIMEOUT);

  it('shows the timeline in valid-time order, fuzzy dates in words, each entry with its status', async () => {
    const page = await open();
    const timeline = await api<Timeline>(`/incidents/${incidentId}/timeline`);
    const entries = page.locator('#timeline-list > li.entry');
    const facts = await entries.evaluateAll((els) => els.map((el) => (el instanceof HTMLElement ? el.dataset.fact : '')));
    expect(facts).toEqual(timeline.entries.map((e) => e.fact));
    expect(facts.slice(0, 3)).toEqual(['investigation.fr.opened', 'encrochat.servers-seized', 'encryption.compromised']);

    const when = (fact: string) => page.locator(`#timeline-list > li[data-fact="${fact}"] .entry-when`).textContent();
    expect(await when('investigation.fr.opened')).toBe('since 20 Jul 2019');
    expect(await when('encrochat.servers-seized')).toBe('Jul 2020');
    expect(await when('encryption.compromised')).toBe('from about Feb 2021 to 9 Mar 2021');
    expect(await when('searches.be-nl')).toBe('9 Mar 2021');

    const badge = (fact: string) => page.locator(`#timeline-list > li[data-fact="${fact}"] .badge`);
    expect(await badge('encryption.compromised').textContent()).toBe('Status: Disputed');
    expect(await badge('users.monitored').textContent()).toBe('Status: Corroborated');
    expect(await badge('investigation.fr.opened').textContent()).toBe('Status: Single source');
    expect(await page.locator('#undated-list > li[data-fact="messages.monitored"] .badge').textContent()).toBe('Status: Assessed');
    await shoot(page, 'timeline', '#timeline');
    await close(page);
  }, TEST_TIMEOUT);

  it('shows each dispute side by side: sources, values, quotes in their own language, and the ruling', async () => {
    const page = await open();
    const encryption = page.locator('#disputes-list article.dispute[data-fact="encryption.compromised"]');
    const positions = encryption.locator('li.position');
    expect(await positions.locator('h4').allTextContents()).toEqual(['Europol', 'Sky ECC']);
    expect(await positions.locator('.claim').allTextContents()).toEqual(['Yes', 'No']);
    expect(await positions.locator('blockquote').evaluateAll((els) => els.map((el) => el.getAttribute('lang')))).toEqual(['fr', 'en']);
    expect(await positions.nth(1).locator('blockquote').textContent()).toContain('no authorized SKY ECC device has been hacked');
    expect(await encryption.textContent()).toContain('No editor has ruled on this dispute yet.');

    const monitored = page.locator('#disputes-list article.dispute[data-fact="messages.monitored"]');
    expect(await monitored.locator('li.position h4').allTextContents()).toEqual(['International Institute of Cyber Security (IICS)', 'Europol']);
    expect(await monitored.locator('li.position.preferred h4').textContent()).toBe('Europol');
    expect(await monitored.locator('.assessment').textContent()).toContain('The ledger prefers the quoted figure');
    expect(await monitored.locator('li.position').first().locator('.claim').textContent()).toContain('between 100,000 and 1 million');
    await shoot(page, 'disputes', '#disputes');
    await close(page);
  }, TEST_TIMEOUT);

  it('shows the history of a fact: who, when, why, before and after', async () => {
    const page = await open();
    // Opening and closing a history fetches it alone, not every view of the incident again.
    const fetched: string[] = [];
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (path.startsWith('/api/incidents/')) fetched.push(path.replace(`/api/incidents/${incidentId}`, ''));
    });
    await page.locator('#undated-list > li[data-fact="messages.per-day"] .fact-heading button[data-action="history"]').click();
    const history = page.locator('#history-view .history');
    await history.waitFor();
    expect(page.url()).toContain('history=fact%3Amessages.per-day');
    const revisions = history.locator('li.revision');
    expect(await revisions.count()).toBe(3);
    const correction = history.locator('li.revision-corrected');
    expect(await correction.locator('.revision-head').textContent()).toMatch(/^Corrected 12 Mar 2021, 10:30 UTC by standards-desk/);
    expect(await correction.locator('.reason').textContent()).toContain('Figure mistyped on entry');
    expect(await correction.locator('tr[data-field="value"] td.before').textContent()).toContain('about 300,000');
    expect(await correction.locator('tr[data-field="value"] td.after').textContent()).toContain('about 3 million');
    await shoot(page, 'history', '#history');
    await page.locator('#history-view button[data-action="close-history"]').click();
    await expect.poll(() => page.locator('#history-view').textContent()).toBe('');
    expect(fetched).toEqual(['/facts/messages.per-day/history']);

    // The history of one assertion, and its address can be shared.
    const skyEcc = await assertionOf('messages.per-day', 'Sky ECC');
    const again = await open(`?incident=${incidentId}&history=assertion:${skyEcc}`);
    await again.locator('#history-view .history li.revision-corrected').waitFor();
    expect(await again.locator('#history-view li.revision').count()).toBe(2);
    await close(again);
    await close(page);
  }, TEST_TIMEOUT);

  it('shows the ledger as it stood at an earlier moment, from the as-of control and from the URL', async () => {
    const skyEcc = await assertionOf('messages.per-day', 'Sky ECC');
    const page = await open();
    expect(await shownValue(page, skyEcc).textContent()).toBe('about 3 million');

    // Before the correction of 12 March 2021 the ledger still held the mistyped figure.
    await page.getByLabel('Show the ledger as it stood on').fill('2021-03-11T00:00');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await expect.poll(() => shownValue(page, skyEcc).textContent()).toBe('about 300,000');
    expect(decodeURIComponent(page.url())).toContain('asOf=2021-03-11T00:00:00.000Z');
    expect(await page.locator('#asof-banner').textContent()).toContain('As of 11 Mar 2021, 00:00 UTC');
    expect(await page.locator('#undated-list > li[data-fact="messages.per-day"] .badge').textContent()).toBe('Status: Disputed');
    expect(await page.locator('#live-status').textContent()).toContain('live updates are off');

    // Reloading the address shows the same past.
    await page.reload();
    await expect.poll(() => shownValue(page, skyEcc).textContent()).toBe('about 300,000');
    expect(await page.getByLabel('Show the ledger as it stood on').inputValue()).toMatch(/^2021-03-11T00:00(:00)?$/);

    await page.locator('#asof-now').click();
    await expect.poll(() => shownValue(page, skyEcc).textContent()).toBe('about 3 million');
    expect(page.url()).not.toContain('asOf=');
    await close(page);
  }, TEST_TIMEOUT);

  it('lets an editor record a correction, and a second open page sees it arrive live', async () => {
    const skyEcc = await assertionOf('users.worldwide', 'Sky ECC');
    const watcher = await open();
    await expect.poll(() => watcher.locator('#live-status').textContent()).toContain('Live: changes appear here');
    await watcher.evaluate(() => document.body.setAttribute('data-not-reloaded', 'yes'));
    expect(await shownValue(watcher, skyEcc).textContent()).toBe('about 170,000');

    const editor = await open();
    await signIn(editor);
    await editor.locator(`li.assertion[data-assertion="${skyEcc}"] button[data-action="correct"]`).first().click();
    expect(await editor.locator('#cor-assertion').inputValue()).toBe(skyEcc);
    expect(await editor.locator('#cor-value-number').inputValue()).toBe('170000');
    await editor.locator('#cor-value-number').fill('175000');
    await editor.locator('#cor-reason').fill('Entered from the wrong paragraph: the article gives about 175,000.');
    await shoot(editor, 'editing', '#correct-form');
    await editor.getByRole('button', { name: 'Record correction' }).click();
    await expect.poll(() => editor.locator('#correct-form .form-status').textContent()).toMatch(/^Correction recorded \(revision \d+\)\.$/);

    await expect.poll(() => shownValue(watcher, skyEcc).textContent(), { timeout: 10_000 }).toBe('about 175,000');
    expect(await watcher.locator('#live-status').textContent()).toContain(`Updated live: an assertion was corrected by ${EDITOR}`);
    expect(await watcher.evaluate(() => document.body.getAttribute('data-not-reloaded'))).toBe('yes');
    await close(watcher);
    await close(editor);
  }, TEST_TIMEOUT);

  it('shows the API’s validation errors next to the fields they name', async () => {
    const page = await open();
    await signIn(page);
    await page.locator('#rec-fact').fill('Not A Key');
    await page.locator('#rec-validTime').fill('last spring');
    await page.getByRole('button', { name: 'Record assertion' }).click();
    await expect.poll(() => page.locator('#rec-fact-error').textContent()).toContain('a fact key is lowercase letters');
    expect(await page.locator('#rec-fact').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#rec-fact').getAttribute('aria-describedby')).toContain('rec-fact-error');
    expect(await page.locator('#rec-validTime-error').textContent()).toContain('not a valid EDTF');
    expect(await page.locator('#record-form .form-errors').isVisible()).toBe(true);
    expect(await page.locator('#rec-fact').inputValue()).toBe('Not A Key');
    await close(page);
  }, TEST_TIMEOUT);

  it('tells an editor whose page is stale that someone else changed the incident, and keeps what was typed', async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    problems.set(page, []);
    // A dropped live connection: the page does not hear about the other editor's change.
    await page.route('**/live', (route) => route.abort());
    await page.goto(`${server.url}/?incident=${incidentId}`);
    await page.locator('#timeline-list > li.entry').first().waitFor();
    await signIn(page);
    const shown = Number(await page.locator('#incident-revision').getAttribute('data-revision'));

    await page.locator('#rec-fact').fill('users.monitored.be');
    await page.locator('#rec-value-number').fill('14000');
    await page.locator('#rec-value-approximate').check();
    // The name sits between Unicode isolate marks (see `isolated` in web/js/format.js).
    await page.locator('#rec-source').selectOption({ label: '\u2068Europol\u2069 (agency)' });
    await page.locator('#rec-quote').fill('environ 14 000 utilisateurs en Belgique');

    // Meanwhile, another editor retracts an assertion through the API.
    const other = await assertionOf('subscription.price', 'Parquet de Paris (French prosecutor)');
    await api(`/incidents/${incidentId}/assertions/${other}/retractions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${EDITOR_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason: 'Quoted from the wrong communiqué.' }),
    });

    await page.getByRole('button', { name: 'Record assertion' }).click();
    const conflict = page.locator('#conflict');
    await expect.poll(() => conflict.isVisible()).toBe(true);
    expect(await conflict.textContent()).toContain('Someone else changed this incident while you were editing');
    expect(await conflict.textContent()).toContain(`You were looking at revision ${shown}; it is now at revision ${shown + 1}`);
    // The page now shows the fresh state (the retraction) and nothing typed was lost.
    await expect.poll(() => page.locator('#incident-revision').getAttribute('data-revision')).toBe(String(shown + 1));
    expect(await page.locator('#undated-list > li[data-fact="subscription.price"]').count()).toBe(0);
    expect(await page.locator('#rec-fact').inputValue()).toBe('users.monitored.be');
    expect(await page.locator('#rec-value-number').inputValue()).toBe('14000');
    expect(await page.locator('#rec-quote').inputValue()).toBe('environ 14 000 utilisateurs en Belgique');
    await shoot(page, 'conflict', '#record-form');

    // Submitting again, now on the fresh revision, goes through.
    await page.getByRole('button', { name: 'Record assertion' }).click();
    await expect.poll(() => page.locator('#record-form .form-status').textContent()).toMatch(/^Recorded \(revision \d+\)\.$/);
    await expect.poll(() => page.locator('#undated-list > li[data-fact="users.monitored.be"]').count()).toBe(1);
    expect(await conflict.isVisible()).toBe(false);
    await close(page);
  }, TEST_TIMEOUT);

  it('reads well at phone width (375 px): nothing scrolls sideways', async () => {
    const page = await open(`?incident=${incidentId}`, { width: 375, height: 812 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await shoot(page, 'phone');
    await page.locator('#disputes').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(SCREENSHOTS, 'phone-disputes.png') });
    await close(page);
  }, TEST_TIMEOUT);

  it('is keyboard reachable: the skip link leads to the incident, and focus is visible', async () => {
    const page = await open();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to the incident');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('incident');
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => {
      const el = document.activeElement;
      return el ? getComputedStyle(el).outlineStyle : 'none';
    });
    expect(outline).not.toBe('none');
    await close(page);
  }, TEST_TIMEOUT);
});
