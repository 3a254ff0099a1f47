import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { checkpointCommand } from './checkpoint.js';
import { exportCommand } from './export.js';
import { importCommand } from './import.js';
import { CliError, codeAfterOutputFailure, errorMessage, EXIT_OK, EXIT_USAGE, OutputFailed, processIO, type CliContext, type CliIO } from './io.js';
import { proveCommand } from './prove.js';
import { replayCommand } from './replay.js';
import { seedCommand } from './seed.js';
import { serveCommand } from './serve.js';
import { verifyCommand } from './verify.js';

/**
 * `incident-ledger`: one command per job; each lives in its own file in this folder.
 * Exit codes: 0 ok, 1 tampering found (or a proof that does not verify), 2 usage or I/O error.
 */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command()
    .name('incident-ledger')
    .description('An event-sourced, tamper-evident ledger of what was reported about incidents.')
    .version('0.1.0')
    // Usage errors exit 2 (commander's default is 1, which here means "tampering found").
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void ctx.io.stdout.write(text),
      writeErr: (text) => void ctx.io.stderr.write(text),
    })
    .showHelpAfterError('(add --help for usage)');

  serveCommand(program);
  seedCommand(program, ctx);
  verifyCommand(program, ctx);
  checkpointCommand(program, ctx);
  proveCommand(program, ctx);
  replayCommand(program, ctx);
  exportCommand(program, ctx);
  importCommand(program, ctx);
  return program;
}

/** Runs one command line (without node and script) and returns its exit code; never exits the process. */
export async function runCli(args: readonly string[], io: CliIO = processIO()): Promise<number> {
  let failure: OutputFailed | undefined;
  let code: number;
  try {
    code = await runCommand(args, io);
  } catch (error) {
    // Thrown by a write to stdout after stdout failed: the command stopped there.
    if (!(error instanceof OutputFailed)) throw error;
    failure = error;
    code = EXIT_OK;
  }
  failure = (await io.outputFailure?.()) ?? failure;
  return failure ? codeAfterOutputFailure(io, failure, code) : code;
}

async function runCommand(args: readonly string[], io: CliIO): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram({ io, done: (c) => (code = c) });
  try {
    await program.parseAsync([...args], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof OutputFailed) throw error;
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0; anything else is a usage error,
      // which commander has already told stderr.
      return error.exitCode === 0 ? EXIT_OK : failed(io, args, EXIT_USAGE, error.message.replace(/^error: /, ''), false);
    }
    if (error instanceof CliError) return failed(io, args, error.exitCode, error.message);
    return failed(io, args, EXIT_USAGE, errorMessage(error));
  }
}

/**
 * Ends a command that failed: the reason on stderr and, with --json, a JSON answer on stdout too,
 * so a script that reads stdout gets JSON whether the command succeeded or not.
 */
function failed(io: CliIO, args: readonly string[], code: number, message: string, toStderr = true): number {
  if (toStderr) io.stderr.write(`incident-ledger: ${message}\n`);
  if (args.includes('--json')) io.stdout.write(`${JSON.stringify({ ok: false, exitCode: code, error: message }, null, 2)}\n`);
  return code;
}

/** True when this file is the program being run (bin/incident-ledger.js, `tsx src/cli/main.ts`), not imported. */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = await runCli(process.argv.slice(2));
}
