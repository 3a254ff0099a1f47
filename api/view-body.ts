import type { Response } from 'express';

/**
 * The JSON text of each view object sent, kept while the object lives. Read models memoise a
 * view per revision and never change it, so the same object always serialises to the same text;
 * serialising a 10,000-event timeline again for every GET was a fifth of the server's time.
 */
const texts = new WeakMap<object, string>();

/** Sends a memoised view as JSON (what res.json would send), serialising it only the first time. */
export function sendView(res: Response, view: object): void {
  let text = texts.get(view);
  if (text === undefined) {
    text = JSON.stringify(view);
    texts.set(view, text);
  }
  res.type('json').send(text);
}
