// Live updates: `GET /api/incidents/:id/live` is a server-sent event stream with one `appended`
// message per event recorded on the incident. Each one only means "the incident changed": the page
// refetches its views.
//
// EventSource cannot send an Authorization header. When reads need a token (LEDGER_PUBLIC_READ off)
// the stream answers 401, EventSource gives up, and the page falls back to reading the same stream
// with fetch(), which can send the token.

/**
 * @typedef {{ revision: number, type: string, recordedAt: string, actor: string }} AppendedMessage
 * @typedef {'connecting' | 'connected' | 'reconnecting' | 'unavailable'} LiveState
 * @typedef {{ onAppended: (message: AppendedMessage | undefined) => void, onState: (state: LiveState) => void, onReconnected: () => void, token: () => string | null }} LiveHooks
 */

const RETRY_MS = 3000;

/** @param {string} data */
function parseMessage(data) {
  try {
    const m = JSON.parse(data);
    return m && typeof m === 'object' && typeof m.revision === 'number' ? /** @type {AppendedMessage} */ (m) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Opens the stream; returns a function that closes it for good.
 * @param {string} url
 * @param {LiveHooks} hooks
 * @returns {() => void}
 */
export function connectLive(url, hooks) {
  let closed = false;
  let opened = false;
  /** @type {(() => void) | undefined} */
  let stopFallback;

  hooks.onState('connecting');
  const source = new EventSource(url);
  source.addEventListener('open', () => {
    hooks.onState('connected');
    // After a drop we may have missed messages: catch up once.
    if (opened) hooks.onReconnected();
    opened = true;
  });
  source.addEventListener('appended', (event) => hooks.onAppended(parseMessage(/** @type {MessageEvent<string>} */ (event).data)));
  source.addEventListener('message', (event) => hooks.onAppended(parseMessage(event.data)));
  source.addEventListener('error', () => {
    if (closed) return;
    if (source.readyState === EventSource.CLOSED) {
      // Refused outright (401/403/404), not a dropped connection.
      if (hooks.token()) stopFallback = streamWithFetch(url, hooks, () => closed);
      else hooks.onState('unavailable');
    } else {
      hooks.onState('reconnecting');
    }
  });

  return () => {
    closed = true;
    source.close();
    stopFallback?.();
  };
}

/**
 * The same stream read with fetch, so the bearer token can go along. Reconnects after a drop.
 * @param {string} url
 * @param {LiveHooks} hooks
 * @param {() => boolean} isClosed
 * @returns {() => void}
 */
function streamWithFetch(url, hooks, isClosed) {
  const controller = new AbortController();
  let attempts = 0;

  const run = async () => {
    while (!isClosed() && !controller.signal.aborted) {
      try {
        const token = hooks.token();
        const res = await fetch(url, {
          headers: { Accept: 'text/event-stream', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
          signal: controller.signal,
          cache: 'no-store',
        });
        if (!res.ok || !res.body) {
          hooks.onState('unavailable');
          return;
        }
        hooks.onState('connected');
        if (attempts++ > 0) hooks.onReconnected();
        await readEvents(res.body, (type, data) => {
          if (type === 'appended' || type === 'message') hooks.onAppended(parseMessage(data));
        });
      } catch {
        if (controller.signal.aborted) return;
      }
      hooks.onState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  };
  void run();
  return () => controller.abort();
}

/**
 * Minimal text/event-stream parser: `event:` and `data:` lines, a blank line ends a message.
 * @param {ReadableStream<Uint8Array>} body
 * @param {(type: string, data: string) => void} onMessage
 */
async function readEvents(body, onMessage) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let type = 'message';
  /** @type {string[]} */
  let data = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let newline;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (data.length) onMessage(type, data.join('\n'));
        type = 'message';
        data = [];
      } else if (line.startsWith('event:')) type = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
  }
}
