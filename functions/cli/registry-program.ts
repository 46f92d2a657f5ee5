import type { Command } from 'commander';
import type { Registry } from '#core/registry-port';
import type { CliIo } from './cli-io.ts';
import {
  keepCommand,
  pauseCommand,
  resumeCommand,
  type UntilFlags,
  unkeepCommand,
} from './keep-command.ts';
import { leaseExtend, leaseList, leaseRelease, leaseSet } from './lease-command.ts';
import {
  openRegistrySession,
  type RegistryFlags,
  type RegistrySession,
} from './registry-session.ts';
import { statusCommand } from './status-command.ts';

const GATEWAY =
  'a full gateway uuid, a unique uuid prefix of at least 8 characters, or an exact name';

/**
 * The registry's commands (docs/cli.md "Leases, exemptions and the pause"): `lease set |
 * extend | release | list`, `keep`, `unkeep`, `pause`, `resume` and `status`. Each change
 * writes one audit record naming who made it (`--requested-by`, the AWS caller, or the OS user).
 */
export function addRegistryCommands(
  program: Command,
  io: CliIo,
  setCode: (code: number) => void,
  shared: { registry?: Registry } = {},
) {
  // commander calls an action with the arguments, then the options, then the command.
  type Work = (session: RegistrySession, ...args: never[]) => Promise<number>;
  const run =
    (work: Work) =>
    async (...args: unknown[]) => {
      const flags = args.at(-2) as RegistryFlags;
      const session = await openRegistrySession(
        flags,
        io,
        shared.registry ? { registry: shared.registry } : {},
      );
      try {
        setCode(await work(session, ...(args.slice(0, -1) as never[])));
      } finally {
        await session.close();
      }
    };

  const lease = program
    .command('lease')
    .description('Say when a gateway expires, and who answers for it (the registry)');

  withRegistry(lease.command('set'), true)
    .description('Set (or replace) the lease that decides when a gateway expires')
    .argument('<gateway>', GATEWAY)
    .option('--ttl <duration>', 'expires this long from now, e.g. 3d (at most leases.maxTtl)')
    .option('--until <time>', 'expires at this RFC 3339 time')
    .option('--owner <who>', 'required: the team, e-mail or chat handle that answers for it')
    .option('--purpose <text>', 'what the gateway is for')
    .option(
      '--name <name>',
      'for a gateway that does not exist yet (full uuid): the name it will have',
    )
    .action(run((s, target: string, flags) => leaseSet(s, target, flags, io)));

  withRegistry(lease.command('extend'), true)
    .description("Move a lease's expiry later; never creates a lease")
    .argument('<gateway>', GATEWAY)
    .option('--by <duration>', 'this much later, counted from the expiry (or now, if past)')
    .option('--until <time>', 'to this RFC 3339 time')
    .action(run((s, target: string, flags) => leaseExtend(s, target, flags, io)));

  withRegistry(lease.command('release'), true)
    .description("Remove a gateway's lease: its rules decide again")
    .argument('<gateway>', GATEWAY)
    .action(run((s, target: string, flags) => leaseRelease(s, target, flags, io)));

  withRegistry(lease.command('list'), false)
    .description('List the leases, soonest expiry first')
    .option('--expiring <duration>', 'only leases that expire within this duration (or have)')
    .option('--owner <who>', 'only leases of this owner')
    .option('--format <format>', 'table, csv or json', 'table')
    .action(run((s, flags) => leaseList(s, flags, io)));

  withRegistry(program.command('keep'), true)
    .description(
      'Keep a gateway until a time, whatever its lease or rules say; it lapses by itself',
    )
    .argument('<gateway>', GATEWAY)
    .option('--for <duration>', 'keep it this long from now (at most leases.maxKeep)')
    .option('--until <time>', 'keep it until this RFC 3339 time')
    .option('--reason <text>', 'required: why, for the audit trail')
    .action(run((s, target: string, flags: UntilFlags) => keepCommand(s, target, flags, io)));

  withRegistry(program.command('unkeep'), true)
    .description("End a gateway's exemption now")
    .argument('<gateway>', GATEWAY)
    .action(run((s, target: string, flags) => unkeepCommand(s, target, flags, io)));

  withRegistry(program.command('pause'), true)
    .description('Stop every deletion, by the sweep and the teardown, until resume or a time')
    .option('--for <duration>', 'pause this long')
    .option('--until <time>', 'pause until this RFC 3339 time')
    .option('--reason <text>', 'required: why, for the audit trail')
    .action(run((s, flags: UntilFlags) => pauseCommand(s, flags, io)));

  withRegistry(program.command('resume'), true)
    .description('Lift the pause')
    .option('--reason <text>', 'why, for the audit trail')
    .action(run((s, flags) => resumeCommand(s, flags, io)));

  withRegistry(program.command('status'), false)
    .description(
      'Show the mode, the registry, the pause, the change window, the budget and the last run',
    )
    .option('--json', 'one JSON document')
    .action(run((s, flags) => statusCommand(s, flags, io)));
}

function withRegistry(command: Command, changes: boolean): Command {
  command
    .option('--registry-table <name>', 'the registry table [JANITOR_REGISTRY_TABLE]')
    .option('--policy <file>', "the policy, for leases' caps and windows [JANITOR_POLICY]")
    .option('--api-url <url>', 'API base URL, to look gateways up [COREWEAVE_API_URL]');
  withSecret(command).option(
    '--simulate',
    'an embedded simulator and in-memory registry (no account; nothing persists)',
  );
  if (changes) {
    command
      .option('--json', "the change's audit record as a JSON line instead of the sentence")
      .option('--audit-file <file>', 'append the audit record to this file')
      .option(
        '--requested-by <who>',
        'who makes the change (default: the AWS caller with a table, else cli:<OS user>)',
      );
  }
  return command;
}

/** The flags that name the Secrets Manager secret holding the token. */
export function withSecret(command: Command): Command {
  return command
    .option(
      '--secret-id <id>',
      'Secrets Manager secret holding the token [COREWEAVE_TOKEN_SECRET_ID]',
    )
    .option(
      '--secret-key <key>',
      'key of the token when the secret is JSON [COREWEAVE_TOKEN_SECRET_KEY]',
    );
}
