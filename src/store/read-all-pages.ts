import type { StoredEvent } from '../../events/index.js';
import type { EventStore, ReadAllOptions } from './port.js';

/**
 * `$all` a page at a time: the store's own pages when it offers them (readAllPages), else each
 * event as a page of one. Iterate each page once, before taking the next.
 */
export async function* readAllInPages(store: EventStore, options?: ReadAllOptions): AsyncGenerator<Iterable<StoredEvent>> {
  if (store.readAllPages) {
    yield* store.readAllPages(options);
    return;
  }
  for await (const event of store.readAll(options)) yield [event];
}
