/**
 * Why the ledger log refused a request. The first group is the caller's mistake (the HTTP layer
 * maps them to 400, `unknown-event` to 404); the second means the log and the event store
 * disagree about history and must not be papered over.
 */
export type LedgerLogErrorCode =
  /** A size that is not a positive integer (a tree of 0 leaves proves nothing). */
  | 'invalid-size'
  /** A size beyond the log's current size. */
  | 'size-beyond-log'
  /** A consistency proof asked from a larger tree to a smaller one. */
  | 'invalid-range'
  /** No absorbed event has this id. */
  | 'unknown-event'
  /** The event is in the log, but only after the requested size. */
  | 'event-after-size'
  /** An event handed to append() is malformed (no 32-byte chain hash, bad position). */
  | 'invalid-event'
  /** Events handed to append() are not in strictly increasing global order. */
  | 'out-of-order'
  /** An already absorbed position now holds a different event: history was rewritten. */
  | 'history-conflict';

export class LedgerLogError extends Error {
  override readonly name = 'LedgerLogError';
  constructor(
    readonly code: LedgerLogErrorCode,
    message: string,
  ) {
    super(message);
  }
}
