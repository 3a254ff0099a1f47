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
  /** Once everything written has gone out: what stdout or stderr refused to take, if anything. */
  outputFailure?(): Promise<OutputFailed | undefined>;
}

export function processIO(): CliIO {
  return streamIO(process.stdout, process.stderr, process.env);
}

/** What the CLI needs of a Node writable stream (process.stdout, or a test's Writable). */
export interface NodeOutput {
  write(chunk: string, callback?: (error?: Error | null) => void): boolean;
  on(event: 'error', listener: (error: Error) => void): unknown;
  readonly errored: Error | null;
  readonly writableLength: number;
  readonly destroyed: boolean;
  isTTY?: boolean;
}

/** stdout or stderr refused a write: EPIPE (the reader went away), ENOSPC (`> /dev/full`)… */
export class OutputFailed extends Error {
  override readonly name = 'OutputFailed';
  constructor(
    readonly stream: 'stdout' | 'stderr',
    readonly error: Error,
  ) {
    super(`cannot write to ${stream}: ${error.message}`);
  }

  /** `… | head`: the reader had what it wanted and left. Not a failure of this command. */
  get readerLeft(): boolean {
    return (this.error as NodeJS.ErrnoException).code === 'EPIPE';
  }
}

/**
 * The CLI's IO over Node streams. A write a stream refuses is reported by an 'error' event, which
 * without a listener crashes the process with a stack trace and exit code 1 ("tampering found"):
 * here it is recorded instead, further writes to stdout throw it (a long export stops rather than
 * writing into the void), and runCli turns it into the exit code. stderr is handed over as it is,
 * since the progress bar drives it as a terminal; its failures are only recorded.
 */
export function streamIO(stdout: NodeOutput, stderr: NodeOutput, env: NodeJS.ProcessEnv): CliIO {
  const failures: OutputFailed[] = [];
  const record = (stream: OutputFailed['stream'], error: Error | null | undefined): void => {
    if (error && !failures.some((f) => f.stream === stream)) failures.push(new OutputFailed(stream, error));
  };
  stdout.on('error', (error) => record('stdout', error));
  stderr.on('error', (error) => record('stderr', error));
  // A stream marks itself errored as soon as a write fails; the 'error' event only follows on a later tick.
  const current = (): OutputFailed | undefined => {
    record('stdout', stdout.errored);
    record('stderr', stderr.errored);
    // A lost summary on stderr (ENOSPC) outweighs a reader that left stdout (EPIPE).
    return failures.find((f) => !f.readerLeft) ?? failures[0];
  };
  return {
    stdout: {
      isTTY: stdout.isTTY,
      write: (chunk) => {
        record('stdout', stdout.errored);
        const failed = failures.find((f) => f.stream === 'stdout');
        if (failed) throw failed;
        return stdout.write(chunk);
      },
    },
    stderr,
    env,
    outputFailure: async () => {
      await flushed(stdout);
      await flushed(stderr);
      return current();
    },
  };
}

/**
 * Resolves once everything written so far has been handed to the system (or refused). Only a
 * stream with writes still queued (a pipe whose reader is slow) is probed, with an empty write
 * queued behind them: on /dev/full even an empty write fails.
 */
const flushed = (stream: NodeOutput): Promise<void> =>
  new Promise((resolve) => {
    if (stream.writableLength === 0 || stream.destroyed || stream.errored) resolve();
    else stream.write('', () => resolve());
  });

/**
 * The exit code once stdout or stderr refused a write. EPIPE means the reader left (`| head -c 10`):
 * the reader chose to stop, nothing went wrong here, so the command stops quietly and its own code
 * stands: 0 when all else went well, 1 still for a tampering verdict. (Tools killed by SIGPIPE exit
 * 141 instead, which fails `set -o pipefail` scripts on an ordinary `| head`; Node ignores SIGPIPE
 * anyway.) Any other error (ENOSPC) lost output the caller expected: one line on stderr (if stderr
 * still works) and exit 2, an I/O error; never 1, which means tampering.
 */
export function codeAfterOutputFailure(io: CliIO, failure: OutputFailed, code: number): number {
  if (failure.readerLeft) return code;
  if (failure.stream === 'stdout') io.stderr.write(`incident-ledger: ${failure.message}\n`);
  return EXIT_USAGE;
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
