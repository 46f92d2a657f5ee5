import { randomUUID } from 'node:crypto';
import type { CliConfig } from '#config/load-config';
import type { AuditRecord } from '#core/audit/record';
import { ValidationError } from '#core/errors';
import type { Gateway } from '#core/model';
import type { Policy } from '#core/policy/compile-policy';
import { DEFAULT_CAPS } from '#core/registry/create-registry';
import type { Registry, RegistryCaps } from '#core/registry-port';
import { formatDuration, parseDuration, parseRfc3339 } from '#core/time';
import type { CliIo } from './cli-io.ts';
import { type ConnectionFlags, loadCliConfig } from './load-cli-config.ts';
import { openAuditSink } from './open-audit-sink.ts';
import { openRegistry } from './open-registry.ts';
import { chosenPolicy, type HeldAgent, simulated, wireCliApi } from './open-session.ts';
import { callerIdentity, osUser } from './request-command.ts';
import { needsListing, type Resolved, resolveGateway } from './resolve-gateway.ts';

/** Flags every registry command takes. */
export interface RegistryFlags extends ConnectionFlags {
  policy?: string;
  simulate?: boolean;
  /** the change's audit record as a JSON line on stdout instead of the sentence */
  json?: boolean;
  /** who makes the change, instead of the AWS caller or the OS user */
  requestedBy?: string;
  auditFile?: string;
}

/** The registry a command works on, the policy's caps, and the gateways when it must look. */
export interface RegistrySession {
  /** undefined: no registry configured (`registry: off`) */
  registry: Registry | undefined;
  /** `table <name>`, the embedded simulator's in-memory registry, or `off` */
  registryName: string;
  policy: Policy | undefined;
  caps: RegistryCaps;
  config: CliConfig;
  /**
   * Who makes a change, as `request` names a sender: `--requested-by`, else with a table
   * the AWS caller's ARN (STS), else `cli:<OS user>`. Asked only when a change is made.
   */
  who(): Promise<string>;
  now(): number;
  /** The listed gateways, listed once on first use; needs the token. */
  listGateways(): Promise<Gateway[]>;
  /** One gateway by id, or undefined when the API answers 404; needs the token. */
  getGateway(id: string): Promise<Gateway | undefined>;
  close(): Promise<void>;
}

/**
 * Validates flags and environment and opens the registry; the token is needed only when a
 * command must look a gateway up, and the policy only for its caps and windows.
 */
export async function openRegistrySession(
  flags: RegistryFlags,
  io: CliIo,
  options: { registry?: Registry } = {},
): Promise<RegistrySession> {
  const { env, simulator } = await simulated(flags, io.env);
  if (simulator) delete env.JANITOR_REGISTRY_TABLE;
  const held: HeldAgent = {};
  const close = async () => {
    await held.agent?.close();
    await simulator?.close();
  };
  try {
    const config = loadCliConfig(flags, env, { tokenOptional: true });
    const policy = await chosenPolicy(flags, config);
    const caps = policy?.leases ?? DEFAULT_CAPS;
    const opened = await openRegistry(
      config.registryTable,
      caps,
      flags.simulate === true,
      options.registry,
    );
    let listed: Promise<Gateway[]> | undefined;
    const api = async (why: string) => {
      if (!config.apiToken && !config.tokenSecretId) {
        throw new ValidationError(
          'CONFIG_INVALID',
          'COREWEAVE_API_TOKEN',
          `not set: needed to ${why}; export the token, or pass --secret-id`,
        );
      }
      return wireCliApi(config, held);
    };
    const forever = { budgetMs: () => Number.POSITIVE_INFINITY };
    return {
      ...opened,
      policy,
      caps,
      config,
      who: () => {
        if (flags.requestedBy !== undefined) return Promise.resolve(flags.requestedBy);
        if (!config.registryTable || options.registry || flags.simulate) {
          return Promise.resolve(`cli:${osUser()}`);
        }
        return callerIdentity(io.env).then((caller) => caller.identity);
      },
      now: Date.now,
      listGateways() {
        listed ??= api('find a gateway by name or id prefix').then((client) =>
          client.list(forever),
        );
        return listed;
      },
      async getGateway(id) {
        const client = await api("pin the gateway's name and createdAt");
        return (await client.get(id, forever)).gateway;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The session's registry, or a usage error naming the flag that would configure one. */
export function requireRegistry(session: RegistrySession): Registry {
  if (session.registry) return session.registry;
  throw new ValidationError(
    'CONFIG_INVALID',
    '--registry-table',
    'required: the registry table (stack output RegistryTableName), or JANITOR_REGISTRY_TABLE; --simulate for an embedded one',
  );
}

/** The fields of a change's audit record; the run context is the CLI's. */
export type ChangeFields = Omit<
  AuditRecord,
  'schemaVersion' | 'time' | 'runId' | 'trigger' | 'dryRun'
>;

/**
 * Opens the audit output first (a bad --audit-file fails before anything is written),
 * then makes the change and writes its one audit record, naming who made it.
 */
export async function recordChange(
  session: RegistrySession,
  flags: RegistryFlags,
  io: CliIo,
  change: (by: string) => Promise<{ fields: ChangeFields; sentence: string }>,
): Promise<number> {
  const audit = openAuditSink(flags, io);
  try {
    const by = await session.who();
    if (by.trim() === '' || by.length > 200 || /\p{Cc}/u.test(by)) {
      throw new ValidationError(
        'CONFIG_INVALID',
        '--requested-by',
        'expected 1-200 characters, no control characters',
      );
    }
    const { fields, sentence } = await change(by);
    audit.sink.write({
      schemaVersion: 1,
      time: new Date(session.now()).toISOString(),
      runId: randomUUID(),
      trigger: 'cli',
      dryRun: false,
      requestedBy: by,
      ...fields,
    });
    if (!flags.json) io.out(`${sentence}\n`);
    return 0;
  } finally {
    audit.close();
  }
}

/**
 * When a change should reach: a duration from now (`durationFlag`) or an RFC 3339 time
 * in the future (`--until`); one of them, or neither when `optional`.
 */
export function whenFrom(
  given: { duration?: string; until?: string },
  durationFlag: string,
  now: number,
  optional = false,
): number | undefined {
  if (given.duration !== undefined && given.until !== undefined) {
    throw new ValidationError('CONFIG_INVALID', `${durationFlag}, --until`, 'give one, not both');
  }
  if (given.duration !== undefined) {
    const ms = parseDuration(given.duration);
    if (ms === undefined) {
      throw new ValidationError(
        'CONFIG_INVALID',
        durationFlag,
        'expected a duration such as 12h, 3d or 1d12h',
      );
    }
    return now + ms;
  }
  if (given.until !== undefined) {
    const at = parseRfc3339(given.until);
    if (at === undefined) {
      throw new ValidationError(
        'CONFIG_INVALID',
        '--until',
        'expected an RFC 3339 time with a zone, such as 2026-12-11T17:00:00Z',
      );
    }
    if (at <= now) {
      throw new ValidationError(
        'INPUT_INVALID',
        '--until',
        `${given.until} lies in the past (now is ${new Date(now).toISOString()})`,
      );
    }
    return at;
  }
  if (optional) return undefined;
  throw new ValidationError('CONFIG_INVALID', `${durationFlag} or --until`, 'required');
}

/** The gateway an argument names (a full uuid, a unique id prefix, or an exact name). */
export async function resolveTarget(session: RegistrySession, text: string): Promise<Resolved> {
  const listed = needsListing(text) ? await session.listGateways() : [];
  return resolveGateway(text, listed);
}

/**
 * Runs a registry write, renaming the field of an input error to the flag it came from
 * (the registry names its own fields: `expiresAt`, `owner`, `until`, ...).
 */
export async function asFlags<T>(fields: Record<string, string>, write: () => Promise<T>) {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof ValidationError) || !(error.field in fields)) throw error;
    const flag = fields[error.field] ?? error.field;
    throw new ValidationError('INPUT_INVALID', flag, error.message.slice(error.field.length + 2));
  }
}

/** An instant as RFC 3339, to the second, with how far it is from now. */
export function showTime(at: number, now: number): string {
  const iso = new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const ms = at - now;
  return `${iso} (${ms >= 0 ? `in ${formatDuration(ms)}` : `${formatDuration(-ms)} ago`})`;
}

/** A usage error when `at` lies past the policy's cap, naming the flag and the cap. */
export function checkCap(at: number, now: number, capMs: number, cap: string, flag: string): void {
  if (at <= now + capMs) return;
  throw new ValidationError(
    'INPUT_INVALID',
    flag,
    `${showTime(at, now)} is more than ${cap} (${formatDuration(capMs)}) ahead (policy \`leases\`)`,
  );
}

/**
 * The end of a lease or an exemption, from a duration (`durationFlag`) or `--until`,
 * no further ahead than the policy's cap (`leases.maxTtl` or `leases.maxKeep`).
 */
export function cappedEnd(
  session: RegistrySession,
  given: { duration?: string; until?: string },
  durationFlag: string,
  cap: 'maxTtl' | 'maxKeep',
  now: number,
): number {
  const at = whenFrom(given, durationFlag, now) as number;
  const capMs = cap === 'maxTtl' ? session.caps.maxTtlMs : session.caps.maxKeepMs;
  checkCap(at, now, capMs, `leases.${cap}`, given.duration ? durationFlag : '--until');
  return at;
}

/** An instant as RFC 3339 with milliseconds, as audit records carry it. */
export const iso = (ms: number) => new Date(ms).toISOString();
