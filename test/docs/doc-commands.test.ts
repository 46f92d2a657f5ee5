import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '#cli/build-program';
import { type CliRun, outputOf, REPO_ROOT } from '../cli/spawn-cli.ts';
import {
  COMMAND_LINE,
  commandLines,
  type DocBlock,
  docBlocks,
  docFiles,
  janitorArgs,
  MARKERS,
  SHELL_LANGS,
} from './doc-blocks.ts';

// The convention these tests enforce is docs/writing-docs.md.
const files = docFiles(REPO_ROOT);
const blocks = files.flatMap((file) => docBlocks(REPO_ROOT, file));
const where = (block: DocBlock) => `${block.file}:${block.line}`;

// `ci` commands: each is run by .ci/run, or by the test named here.
const CI_SCRIPT = readFileSync(join(REPO_ROOT, '.ci/run'), 'utf8').split('\n');
const RUN_BY_TEST: Record<string, { file: string; contains: string }> = {
  'npm run package': {
    file: 'test/support/package-once.global.ts',
    contains: "['run', 'package']",
  },
};

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('the commands in README.md and docs/', () => {
  it('marks every shell block run, ci, live or slow', () => {
    const unmarked = blocks
      .filter((b) => SHELL_LANGS.has(b.lang) && !(MARKERS as readonly string[]).includes(b.marker))
      .map(where);
    expect(unmarked).toEqual([]);
  });

  it('puts commands in shell blocks, never in a block without a language', () => {
    const hidden = blocks
      .filter((b) => b.lang === '' && b.text.split('\n').some((l) => COMMAND_LINE.test(l.trim())))
      .map(where);
    expect(hidden).toEqual([]);
  });

  it('names only scripts package.json has in slow blocks', () => {
    const scripts = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts;
    const unknown = blocks
      .filter((b) => b.marker === 'slow')
      .flatMap((b) => commandLines(b.text))
      .map((line) => /^npm run ([\w:-]+)/.exec(line)?.[1])
      .filter((script) => script === undefined || !(script in scripts));
    expect(unknown).toEqual([]);
  });

  it('never shows a bare gateway-janitor, which is not on PATH after npm ci', () => {
    const bare = blocks.flatMap((b) =>
      commandLines(b.text)
        .filter((line) => /^(?:[A-Z_]+=\S+ )*gateway-janitor(?=\s|$)/.test(line))
        .map((line) => `${where(b)}: ${line}`),
    );
    expect(bare).toEqual([]);
  });

  it('runs the ci blocks in CI: each command is in .ci/run or in the test named for it', () => {
    const missing = blocks
      .filter((b) => b.marker === 'ci')
      .flatMap((b) => commandLines(b.text).flatMap((line) => line.split('&&')))
      .map((command) => command.replace(/#.*/, '').trim())
      .filter((command) => {
        const elsewhere = RUN_BY_TEST[command];
        if (elsewhere)
          return !readFileSync(join(REPO_ROOT, elsewhere.file), 'utf8').includes(
            elsewhere.contains,
          );
        return !CI_SCRIPT.some((line) => line.trim().startsWith(command));
      });
    expect(missing).toEqual([]);
  });

  it('parses every gateway-janitor command that is not run here with the CLI itself', async () => {
    const shown = blocks
      .filter((b) => b.marker !== 'run')
      .flatMap((b) => commandLines(b.text).map((line) => ({ b, line, args: janitorArgs(line) })))
      .filter((entry) => entry.args !== undefined);
    expect(shown.length).toBeGreaterThan(5);
    const refused: string[] = [];
    for (const { b, line, args } of shown) {
      const problem = await parseOnly(args ?? []);
      if (problem) refused.push(`${where(b)}: ${line}\n    ${problem}`);
    }
    expect(refused).toEqual([]);
  });

  it('refuses, in that check, a flag the CLI does not know', async () => {
    expect(await parseOnly(['sweep', '--simulate', '--confirm-after', '5m'])).toMatch(
      /unknown option '--confirm-after'/,
    );
    expect(await parseOnly(['plan', '--simulate'])).toBeUndefined();
  });

  it('has npx gateway-janitor work from the checkout, as the docs show it', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    const { stdout, code } = await runShell('npx gateway-janitor --version', REPO_ROOT, false);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(pkg.version);
  });

  for (const file of files) {
    const runnable = blocks.filter((b) => b.file === file && b.marker === 'run');
    if (runnable.length === 0) continue;
    it(`runs each run block of ${file} in order, every one exiting 0`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'janitor-docs-'));
      scratch.push(dir);
      symlinkSync(join(REPO_ROOT, 'examples'), join(dir, 'examples'));
      for (const block of runnable) {
        const { code, stdout, stderr } = await runShell(block.text, dir, true);
        expect(
          { block: where(block), code },
          `${stdout.slice(-2_000)}\n${stderr.slice(-2_000)}`,
        ).toEqual({ block: where(block), code: 0 });
      }
    }, 120_000);
  }
});

/** Parses the arguments as the CLI would, stopping before any command runs. */
async function parseOnly(args: string[]): Promise<string | undefined> {
  let errors = '';
  const io = {
    out: () => {},
    err: (text: string) => {
      errors += text;
    },
    progress: false,
    env: {},
  };
  const program = buildProgram(io, () => {});
  const parsed = new Error('parsed');
  program.hook('preAction', () => {
    throw parsed;
  });
  try {
    await program.parseAsync(args, { from: 'user' });
    return args.some((a) => a === '--help' || a === '--version') ? undefined : 'ran no command';
  } catch (error) {
    if (error === parsed) return undefined;
    const code = (error as { exitCode?: number }).exitCode;
    return code === 0 ? undefined : errors.trim() || String(error);
  }
}

/**
 * Runs a block with bash -e in `cwd` on the pinned Node. With `fast`, `npx gateway-janitor`
 * runs the checkout's entry directly (what npx resolves it to, without npx's second of
 * start-up); the test above runs the real npx once.
 */
function runShell(script: string, cwd: string, fast: boolean): Promise<CliRun> {
  const prelude = fast
    ? `npx() { if [ "$1" = gateway-janitor ]; then shift; node "$REPO/functions/cli/main.ts" "$@"; else command npx "$@"; fi; }\n`
    : '';
  const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', `${prelude}${script}`], {
    cwd,
    env: {
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      HOME: process.env.HOME ?? cwd,
      REPO: REPO_ROOT,
    },
    timeout: 90_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return outputOf(child);
}
