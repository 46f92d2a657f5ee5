import { RegistryError, ValidationError } from '#core/errors';
import { GATEWAY_ID } from '#core/model';
import type { Exemption, Lease, LeaseIdentity } from '#core/registry-port';
import { parseRfc3339 } from '#core/time';
import type { CliIo } from './cli-io.ts';
import {
  asFlags,
  cappedEnd,
  checkCap,
  iso,
  type RegistryFlags,
  type RegistrySession,
  recordChange,
  requireRegistry,
  resolveTarget,
  showTime,
  whenFrom,
} from './registry-session.ts';
import { csvCell, jsonText, plainText } from './safe-output.ts';

/** Flags of `lease set`. */
export interface LeaseSetFlags extends RegistryFlags {
  ttl?: string;
  until?: string;
  owner?: string;
  purpose?: string;
  /** the name a gateway that does not exist yet will have */
  name?: string;
}

const short = (id: string) => id.slice(0, 8);
const who = (name: string, id: string) => plainText(`${name} (${short(id)})`);

/**
 * `lease set`: the lease decides when the gateway expires. The identity is pinned from
 * the listing (name, and createdAt when it parses); a gateway that does not exist yet
 * needs its full uuid and `--name` (docs/contract.md "The registry").
 */
export async function leaseSet(
  session: RegistrySession,
  target: string,
  flags: LeaseSetFlags,
  io: CliIo,
): Promise<number> {
  const registry = requireRegistry(session);
  const now = session.now();
  const expiresAt = cappedEnd(
    session,
    { duration: flags.ttl, until: flags.until },
    '--ttl',
    'maxTtl',
    now,
  );
  if (!flags.owner?.trim()) {
    throw new ValidationError(
      'CONFIG_INVALID',
      '--owner',
      'required: a team, e-mail or chat handle',
    );
  }
  const identity = await identityOf(session, target, flags.name);
  const gatewayId = identity.id;
  return recordChange(session, flags, io, async (by) => {
    const { current, previous } = await asFlags(
      {
        expiresAt: flags.ttl ? '--ttl' : '--until',
        owner: '--owner',
        purpose: '--purpose',
        'identity.name': '--name',
      },
      () =>
        registry.setLease(
          {
            gatewayId,
            expiresAt,
            owner: flags.owner as string,
            ...(flags.purpose ? { purpose: flags.purpose } : {}),
            createdBy: by,
            identity: identity.pin,
          },
          now,
        ),
    );
    const replaced = previous ? `; replaced one expiring ${iso(previous.expiresAt)}` : '';
    return {
      fields: {
        event: 'lease.set',
        reason: 'operator',
        gatewayId: current.gatewayId,
        gatewayName: current.identity.name,
        ...leaseFields(current),
        ...(previous ? { previousExpiresAt: iso(previous.expiresAt) } : {}),
      },
      sentence: `lease set: ${who(current.identity.name, gatewayId)} expires ${showTime(current.expiresAt, now)}, owner ${plainText(current.owner)}${replaced}`,
    };
  });
}

/** `lease extend`: moves an existing lease's expiry later; never creates one. */
export async function leaseExtend(
  session: RegistrySession,
  target: string,
  flags: RegistryFlags & { by?: string; until?: string },
  io: CliIo,
): Promise<number> {
  const registry = requireRegistry(session);
  const now = session.now();
  if (flags.by !== undefined && flags.until !== undefined) {
    throw new ValidationError('CONFIG_INVALID', '--by, --until', 'give one, not both');
  }
  const until = flags.by === undefined ? whenFrom({ until: flags.until }, '--by', now) : undefined;
  if (until !== undefined) checkCap(until, now, session.caps.maxTtlMs, 'leases.maxTtl', '--until');
  const byMs =
    flags.by === undefined ? undefined : (whenFrom({ duration: flags.by }, '--by', 0) as number);
  const { id } = await resolveTarget(session, target);
  return recordChange(session, flags, io, async () => {
    const { current, previous } = await asFlags({ by: '--by', until: '--until' }, async () => {
      try {
        return await registry.extendLease(
          id,
          byMs === undefined ? { until: until as number } : { byMs },
          now,
        );
      } catch (error) {
        if (error instanceof RegistryError && error.code === 'REGISTRY_NOT_FOUND') {
          throw new ValidationError(
            'INPUT_INVALID',
            '<gateway>',
            `${id} has no lease to extend: use lease set`,
          );
        }
        throw error;
      }
    });
    const before = previous ? iso(previous.expiresAt) : undefined;
    return {
      fields: {
        event: 'lease.extended',
        reason: 'operator',
        gatewayId: current.gatewayId,
        gatewayName: current.identity.name,
        ...leaseFields(current),
        ...(before ? { previousExpiresAt: before } : {}),
      },
      sentence: `lease extended: ${who(current.identity.name, id)} expires ${showTime(current.expiresAt, now)} (was ${before})`,
    };
  });
}

/** `lease release`: removes a lease; the gateway's rules decide again. */
export async function leaseRelease(
  session: RegistrySession,
  target: string,
  flags: RegistryFlags,
  io: CliIo,
): Promise<number> {
  const registry = requireRegistry(session);
  const { id } = await resolveTarget(session, target);
  return recordChange(session, flags, io, async () => {
    const released = await registry.releaseLease(id);
    if (!released) {
      throw new ValidationError('INPUT_INVALID', '<gateway>', `${id} has no lease to release`);
    }
    return {
      fields: {
        event: 'lease.released',
        reason: 'released',
        gatewayId: released.gatewayId,
        gatewayName: released.identity.name,
        ...leaseFields(released),
      },
      sentence: `lease released: ${who(released.identity.name, id)}; its rules decide again`,
    };
  });
}

/** Flags of `lease list`. */
export interface LeaseListFlags extends RegistryFlags {
  expiring?: string;
  owner?: string;
  format?: string;
}

/** `lease list`: every lease, soonest expiry first, with any exemption that holds. */
export async function leaseList(
  session: RegistrySession,
  flags: LeaseListFlags,
  io: CliIo,
): Promise<number> {
  const format = flags.format ?? 'table';
  if (!['table', 'csv', 'json'].includes(format)) {
    throw new ValidationError('CONFIG_INVALID', '--format', 'expected table, csv or json');
  }
  const registry = requireRegistry(session);
  const now = session.now();
  const horizon =
    flags.expiring === undefined
      ? undefined
      : whenFrom({ duration: flags.expiring }, '--expiring', now);
  const snapshot = await registry.snapshot();
  const leases = [...snapshot.leases.values()]
    .filter((lease) => horizon === undefined || lease.expiresAt <= horizon)
    .filter((lease) => flags.owner === undefined || lease.owner === flags.owner)
    .sort((a, b) => a.expiresAt - b.expiresAt || a.gatewayId.localeCompare(b.gatewayId));
  const kept = (lease: Lease) => {
    const exemption = snapshot.exemptions.get(lease.gatewayId);
    return exemption && exemption.until > now ? exemption : undefined;
  };
  if (format === 'json') {
    const rows = leases.map((lease) => ({ ...leaseRow(lease), keptUntil: keptIso(kept(lease)) }));
    io.out(`${jsonText({ leases: rows }, 2)}\n`);
  } else if (format === 'csv') {
    const header = [
      'gatewayId',
      'name',
      'owner',
      'expiresAt',
      'purpose',
      'createdBy',
      'createdAt',
      'keptUntil',
    ];
    const lines = leases.map((lease) => {
      const row = { ...leaseRow(lease), keptUntil: keptIso(kept(lease)) };
      return header.map((key) => csvCell(row[key as keyof typeof row])).join(',');
    });
    io.out(`${[header.join(','), ...lines].join('\n')}\n`);
  } else {
    io.out(renderLeaseTable(leases, kept, now));
  }
  return 0;
}

function keptIso(exemption: Exemption | undefined): string | undefined {
  return exemption ? iso(exemption.until) : undefined;
}

function leaseRow(lease: Lease) {
  return {
    gatewayId: lease.gatewayId,
    name: lease.identity.name,
    owner: lease.owner,
    expiresAt: iso(lease.expiresAt),
    purpose: lease.purpose,
    createdBy: lease.createdBy,
    createdAt: lease.identity.createdAt === undefined ? undefined : iso(lease.identity.createdAt),
  };
}

function renderLeaseTable(
  leases: readonly Lease[],
  kept: (lease: Lease) => Exemption | undefined,
  now: number,
): string {
  if (leases.length === 0) return 'No leases.\n';
  const header = ['NAME', 'ID', 'OWNER', 'EXPIRES', 'KEPT UNTIL', 'PURPOSE'];
  const rows = leases.map((lease) => {
    const exemption = kept(lease);
    return [
      lease.identity.name,
      short(lease.gatewayId),
      lease.owner,
      showTime(lease.expiresAt, now),
      exemption ? iso(exemption.until) : '-',
      lease.purpose ?? '',
    ].map(plainText);
  });
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n${leases.length} lease(s).\n`;
}

function leaseFields(lease: Lease) {
  return {
    owner: lease.owner,
    expiresAt: iso(lease.expiresAt),
    ...(lease.purpose ? { purpose: lease.purpose } : {}),
  };
}

/**
 * The gateway a lease is for and the identity it pins: the listed name and createdAt, or
 * for a gateway that does not exist yet its full uuid and the `--name` it will have.
 */
async function identityOf(
  session: RegistrySession,
  target: string,
  name: string | undefined,
): Promise<{ id: string; pin: LeaseIdentity }> {
  const live = GATEWAY_ID.test(target)
    ? await session.getGateway(target.toLowerCase())
    : await resolveTarget(session, target).then((resolved) => ({
        ...resolved,
        name: resolved.name ?? '',
      }));
  if (!live) {
    if (name === undefined) {
      throw new ValidationError(
        'CONFIG_INVALID',
        '--name',
        `required: gateway ${target} does not exist (yet), so the lease must name the gateway it is for`,
      );
    }
    return { id: target.toLowerCase(), pin: { name } };
  }
  if (live.name.trim() === '') {
    throw new ValidationError(
      'INPUT_INVALID',
      '<gateway>',
      `gateway ${live.id} is listed without a name: a lease could not pin it (unknown_identity)`,
    );
  }
  if (name !== undefined && name !== live.name) {
    throw new ValidationError(
      'CONFIG_INVALID',
      '--name',
      `gateway ${live.id} is named "${plainText(live.name)}", not "${plainText(name)}"`,
    );
  }
  const createdAt = parseRfc3339(live.createdAt);
  return {
    id: live.id.toLowerCase(),
    pin: { name: live.name, ...(createdAt === undefined ? {} : { createdAt }) },
  };
}
