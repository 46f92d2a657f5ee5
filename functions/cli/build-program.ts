import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { ValidationError } from '#core/errors';
import type { Registry } from '#core/registry-port';
import { parseDuration } from '#core/time';
import { type AuditFlags, auditCommand } from './audit/audit-command.ts';
import type { CliIo } from './cli-io.ts';
import { demoCommand } from './demo-command.ts';
import { openSession, type TargetFlags } from './open-session.ts';
import { planCommand } from './plan-command.ts';
import { addRegistryCommands, withSecret } from './registry-program.ts';
import { type RequestFlags, requestCommand } from './request-command.ts';
import { type SimulateFlags, simulateCommand } from './simulate-command.ts';
import { type SweepFlags, sweepCommand } from './sweep-command.ts';
import { teardownCommand } from './teardown-command.ts';
import { validateCommand } from './validate-command.ts';

/** What a caller may share across commands: one embedded registry (tests, a demo). */
export interface ProgramDeps {
  registry?: Registry;
}

const FOOTER = `
Token: COREWEAVE_API_TOKEN, or --secret-id to read it from AWS Secrets Manager.
Settings also come from the Lambda's variables (COREWEAVE_API_URL, DELETE_CONCURRENCY, ...);
a flag overrides its variable. Exit codes: 0 ok, 1 run or API failure, 2 usage or config error.`;

/**
 * The `gateway-janitor` command line. Each action reports its exit code through
 * `setCode`; parse errors and --help surface as CommanderError (exitOverride).
 */
export function buildProgram(
  io: CliIo,
  setCode: (code: number) => void,
  deps: ProgramDeps = {},
): Command {
  const program = new Command('gateway-janitor')
    .description('Deletes expired CoreWeave inference gateways; preview with plan, act with sweep.')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(add --help for usage)')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .addHelpText('after', FOOTER);

  withTarget(program.command('plan'))
    .description('List every gateway with its verdict and reason; deletes nothing')
    .option('--json', 'one JSON document instead of the table')
    .option('--wide', 'full gateway ids instead of their first 8 characters')
    .option(
      '--expiring <duration>',
      'only gateways whose deletion falls within this time, e.g. 24h (past due included)',
      durationMs,
    )
    .action(async (flags: TargetFlags & { json?: boolean; wide?: boolean; expiring?: number }) =>
      setCode(
        await withSession(flags, io, deps, (s) =>
          planCommand(s, { ...flags, expiringMs: flags.expiring }, io),
        ),
      ),
    );

  withTarget(program.command('validate'))
    .description(
      'Check a policy as a deploy does, and warn about footguns; with a token, also against the fleet',
    )
    .action(async (flags: TargetFlags) => {
      if (!flags.policy) {
        throw new ValidationError(
          'CONFIG_INVALID',
          '--policy',
          'required: the policy file to check',
        );
      }
      setCode(await validateCommand({ ...flags, policy: flags.policy }, io));
    });

  withAct(withTarget(program.command('sweep')))
    .description("Run the sweep Lambda's code path: delete what the policy says has expired")
    .action(async (flags: TargetFlags & SweepFlags) => {
      checkWait(flags);
      setCode(
        await withSession(flags, io, deps, async (s) => (await sweepCommand(s, flags, io)).code),
      );
    });

  withAct(withTarget(program.command('teardown')))
    .description("Run the teardown Lambda's code path for the gateways named")
    .argument(
      '<gateway...>',
      'each a full gateway uuid, a unique id prefix of at least 8 characters, or an exact name',
    )
    .option(
      '--delete-deployments',
      'first delete the deployments that serve only these gateways (without it, a gateway in use is kept)',
    )
    .action(
      async (ids: string[], flags: TargetFlags & SweepFlags & { deleteDeployments?: boolean }) => {
        checkWait(flags);
        setCode(await withSession(flags, io, deps, (s) => teardownCommand(s, ids, flags, io)));
      },
    );

  withConnection(program.command('request'))
    .description(
      'Send a teardown request to the queue, checked with the schema the teardown applies',
    )
    .argument(
      '<gateway>',
      'a full gateway uuid, or (with a token to list them) a unique id prefix or an exact name',
    )
    .option('--at <time>', 'delete it at this RFC 3339 time (default: as soon as it is served)')
    .option('--in <duration>', 'delete it after this long, such as 2h or 7d')
    .option('--delete-deployments', 'first delete the deployments that serve only this gateway')
    .option('--queue-url <url>', 'the teardown queue (stack output TeardownQueueUrl)')
    .option(
      '--requested-by <who>',
      "who asks (default: the caller's AWS identity, else the OS user)",
    )
    .option('--reason <text>', 'why, for the audit trail')
    .option('--expected-name <name>', 'delete it only if it still has this name')
    .option('--dry-run', 'print the checked message instead of sending it')
    .action(async (gateway: string, flags: RequestFlags) =>
      setCode(await requestCommand(gateway, flags, io)),
    );

  program
    .command('simulate')
    .description('Serve the seeded fleet on a loopback CoreWeave API simulator until Ctrl-C')
    .option('--seed <n>', 'fleet seed', wholeNumber, 42)
    .option('--size <n>', 'number of gateways', wholeNumber, 40)
    .option(
      '--delete-delay <duration>',
      'how long a deleted gateway stays DELETING before it vanishes (default 1s)',
      durationMs,
    )
    .option(
      '--stick <id-or-name>',
      'a gateway whose deletion never completes (repeatable)',
      collect,
    )
    .action(async (flags: SimulateFlags) => setCode(await simulateCommand(flags, io)));

  program
    .command('demo')
    .description('npm start: plan and live-sweep the seeded fleet on the embedded simulator')
    .option('--json', 'also print the audit records as JSON lines, as the Lambdas log them')
    .action(async (flags: { json?: boolean }) => setCode(await demoCommand(io, flags)));

  program
    .command('audit')
    .description('Review audit records from CloudWatch Logs or saved log lines')
    .argument('[view]', 'deletions (default), history, runs or summary')
    .option(
      '--log-group <name>',
      "read this CloudWatch Logs group (repeatable); only the function's own log streams, YYYY/MM/DD/[version]<id>",
      collect,
    )
    .option(
      '--file <path>',
      "read the functions' log lines from a file, - for stdin (repeatable)",
      collect,
    )
    .option('--since <when>', 'records from this time: a duration ago (7d, 12h) or RFC 3339')
    .option('--until <when>', 'records up to this time: a duration ago or RFC 3339')
    .option('--gateway <id-or-name>', 'only this gateway (repeatable)', collect)
    .option(
      '--event <event>',
      'only this audit event, e.g. gateway.delete_failed (repeatable)',
      collect,
    )
    .option(
      '--rule <id>',
      'only records of gateways this policy rule decided (repeatable)',
      collect,
    )
    .option('--trigger <trigger>', 'only schedule, sqs, cli or direct (repeatable)', collect)
    .option(
      '--requested-by <who>',
      'only teardown requests with this requestedBy (repeatable)',
      collect,
    )
    .option('--run <id>', 'only this run (repeatable)', collect)
    .option(
      '--dry-run',
      "only dry runs' records; deletions then lists the would-be deletions (gateway.would_delete)",
    )
    .option('--format <format>', 'table, csv, json or md', 'table')
    .addHelpText(
      'after',
      '\nExamples:\n  gateway-janitor audit --log-group /aws/lambda/gateway-janitor-dev-sweep --since 7d\n  gateway-janitor audit history --file sweep.log --gateway pr-1290\n',
    )
    .action(async (view: string | undefined, flags: AuditFlags) =>
      setCode(await auditCommand(view, flags, io)),
    );

  addRegistryCommands(program, io, setCode, deps);

  return program;
}

function withTarget(command: Command): Command {
  return withConnection(
    command.option(
      '--policy <file>',
      'policy file, JSON or YAML (with --simulate: examples/policy.json)',
    ),
  );
}

/** The flags that reach the API: where it is, the token, the simulator. */
function withConnection(command: Command): Command {
  return withSecret(
    command.option(
      '--api-url <url>',
      'API base URL [COREWEAVE_API_URL] (default https://api.coreweave.com)',
    ),
  )
    .option(
      '--http-timeout <ms>',
      'total time of one API request, body included [COREWEAVE_HTTP_TIMEOUT_MS] (default 10000)',
    )
    .option(
      '--simulate',
      'run against a fresh embedded simulator with the seeded fleet (no account)',
    )
    .option(
      '--registry-table <name>',
      'the registry: leases, exemptions, the pause and the budget [JANITOR_REGISTRY_TABLE]',
    )
    .addHelpText('after', FOOTER);
}

function withAct(command: Command): Command {
  return command
    .option('--apply', 'really delete (without it: a dry run that deletes nothing)')
    .option('--json', 'audit records as JSON lines on stdout instead of the report')
    .option('--audit-file <file>', 'append audit records as JSON lines to this file')
    .option('--concurrency <n>', 'deletions in flight at once [DELETE_CONCURRENCY] (default 8)')
    .option(
      '--wait',
      'with --apply: poll until each deletion is confirmed (gone) or stuck; exit 1 if stuck',
    )
    .option(
      '--confirm-within <duration>',
      'with --wait: how long a deletion may take before it is stuck [DELETE_CONFIRM_WITHIN] (default 1h)',
    );
}

async function withSession(
  flags: TargetFlags,
  io: CliIo,
  deps: ProgramDeps,
  run: (session: Awaited<ReturnType<typeof openSession>>) => Promise<number>,
): Promise<number> {
  const session = await openSession(flags, io, deps);
  try {
    return await run(session);
  } finally {
    await session.close();
  }
}

/** A dry run deletes nothing, so there is nothing to wait for. */
function checkWait(flags: { wait?: boolean; apply?: boolean }): void {
  if (flags.wait && !flags.apply)
    throw new ValidationError(
      'CONFIG_INVALID',
      '--wait',
      'needs --apply: a dry run deletes nothing',
    );
}

/** The version in package.json, the one source of it (CHANGELOG.md names the same). */
function packageVersion(): string {
  const file = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new InvalidArgumentError('expected a duration such as 5s, 2m or 1h');
  return ms;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function wholeNumber(text: string): number {
  if (!/^\d{1,6}$/.test(text)) throw new InvalidArgumentError('expected a whole number');
  return Number(text);
}
