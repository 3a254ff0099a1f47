/**
 * What every command shares: where it writes, its environment, and how it ends. Commands never
 * call process.exit: they return or throw a CliError, and runCli turns that into the exit code,
 * so the whole CLI runs in-process in tests.
 */

/** 0 ok, 1 tampering found (or a proof that does not verify), 2 usage or I/O error. */
export const EXIT_OK = 0;
export const EXIT_TAMPERED = 1;
export const EXIT_USAGE = 2;

export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface CliIO {
  stdout: OutStream;
  stderr: OutStream;
  env: NodeJS.ProcessEnv;
  /** Plain progress lines (no terminal) at most this often; 1000 ms by default. */
  progressIntervalMs?: number;
}

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Ends a command with an exit code and a message for stderr. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

export const usageError = (message: string): CliError => new CliError(EXIT_USAGE, message);

/** What a finished command hands back: its exit code, the JSON answer, and the lines a person reads. */
export interface Outcome {
  code: number;
  json: unknown;
  human: string[];
}

/** `--json` prints the JSON answer on stdout; otherwise the human lines. */
export function emit(io: CliIO, outcome: Outcome, asJson: boolean): number {
  if (asJson) io.stdout.write(`${JSON.stringify(outcome.json, null, 2)}\n`);
  else if (outcome.human.length > 0) io.stdout.write(`${outcome.human.join('\n')}\n`);
  return outcome.code;
}

export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Thousands separators for counts a person reads. */
export const count = (n: number): string => n.toLocaleString('en-US');

/** What a command's registration needs from the program that runs it. */
export interface CliContext {
  io: CliIO;
  /** Records the command's exit code. */
  done(code: number): void;
}
