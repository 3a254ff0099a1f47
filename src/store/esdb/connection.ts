import { AccessDeniedError, isCommandError, StreamNotFoundError, WrongExpectedVersionError } from '@eventstore/db-client';
import { StoreUnavailableError } from '../errors.js';

/**
 * The connection string without `user:password@`, safe for logs and error messages.
 * `esdb://admin:changeit@db:2113?tls=false` → `esdb://db:2113?tls=false`.
 */
export function redactConnectionString(connectionString: string): string {
  return connectionString.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');
}

/** A gRPC or client error the caller cannot fix: the database is down, unreachable, or refusing us. */
export function isDatabaseError(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  if (error instanceof WrongExpectedVersionError || error instanceof StreamNotFoundError) return false;
  if (isCommandError(error)) return true;
  // Raw gRPC ServiceErrors carry a numeric status code.
  return typeof (error as { code?: unknown }).code === 'number';
}

/** Errors worth retrying after a pause (a subscription resubscribes on them). */
export function isTransient(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  return isDatabaseError(error) && !(error instanceof AccessDeniedError);
}

export function unavailable(target: string, doing: string, error: Error): StoreUnavailableError {
  return new StoreUnavailableError(`EventStoreDB at ${target} failed while ${doing}: ${error.message}`, { cause: error });
}

/** Runs a call to the database, turning database failures into StoreUnavailableError and leaving the port's own errors alone. */
export async function guarded<T>(target: string, doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isDatabaseError(error)) throw unavailable(target, doing, error);
    throw error;
  }
}
