import { ValidationError } from '#core/errors';
import type { CliIo } from './cli-io.ts';
import {
  asFlags,
  cappedEnd,
  iso,
  type RegistryFlags,
  type RegistrySession,
  recordChange,
  requireRegistry,
  resolveTarget,
  showTime,
  whenFrom,
} from './registry-session.ts';
import { plainText } from './safe-output.ts';

/** Flags of `keep` and `pause`: until when, and why. */
export interface UntilFlags extends RegistryFlags {
  for?: string;
  until?: string;
  reason?: string;
}

function requireReason(reason: string | undefined): string {
  if (reason?.trim()) return reason;
  throw new ValidationError('CONFIG_INVALID', '--reason', 'required: say why, for the audit trail');
}

/**
 * `keep`: an exemption keeps one gateway until a time, at most `leases.maxKeep` ahead; it
 * lapses by itself (docs/contract.md "The registry"). Forever is the policy's `protect`.
 */
export async function keepCommand(
  session: RegistrySession,
  target: string,
  flags: UntilFlags,
  io: CliIo,
): Promise<number> {
  const registry = requireRegistry(session);
  const now = session.now();
  const until = cappedEnd(
    session,
    { duration: flags.for, until: flags.until },
    '--for',
    'maxKeep',
    now,
  );
  const reason = requireReason(flags.reason);
  const resolved = await resolveTarget(session, target);
  return recordChange(session, flags, io, async (by) => {
    const { current } = await asFlags(
      { until: flags.for ? '--for' : '--until', reason: '--reason' },
      () => registry.keep({ gatewayId: resolved.id, until, reason, setBy: by }, now),
    );
    const name = resolved.name ?? current.gatewayId;
    return {
      fields: {
        event: 'gateway.exempted',
        reason: 'kept',
        gatewayId: current.gatewayId,
        ...(resolved.name ? { gatewayName: resolved.name } : {}),
        until: iso(current.until),
        note: current.reason,
      },
      sentence: `kept: ${plainText(name)} until ${showTime(current.until, now)}: nothing deletes it before then`,
    };
  });
}

/** `unkeep`: ends an exemption now; the lease or the rules decide again. */
export async function unkeepCommand(
  session: RegistrySession,
  target: string,
  flags: RegistryFlags,
  io: CliIo,
): Promise<number> {
  const registry = requireRegistry(session);
  const resolved = await resolveTarget(session, target);
  return recordChange(session, flags, io, async () => {
    const removed = await registry.unkeep(resolved.id);
    if (!removed) {
      throw new ValidationError('INPUT_INVALID', '<gateway>', `${resolved.id} is not kept`);
    }
    return {
      fields: {
        event: 'gateway.exempted',
        reason: 'unkept',
        gatewayId: removed.gatewayId,
        ...(resolved.name ? { gatewayName: resolved.name } : {}),
        until: iso(removed.until),
        note: removed.reason,
      },
      sentence: `unkept: ${plainText(resolved.name ?? removed.gatewayId)}; its lease or rules decide again`,
    };
  });
}

/**
 * `pause`: nothing is deleted until `resume`, or until the time given (docs/contract.md
 * "Pause, change windows and a rolling budget"). Each sweep and teardown reads it first.
 */
export async function pauseCommand(
  session: RegistrySession,
  flags: UntilFlags,
  io: CliIo,
): Promise<number> {
  const registry = requireRegistry(session);
  const now = session.now();
  const until = whenFrom({ duration: flags.for, until: flags.until }, '--for', now, true);
  const reason = requireReason(flags.reason);
  return recordChange(session, flags, io, async (by) => {
    const { current } = await asFlags(
      { until: flags.for ? '--for' : '--until', reason: '--reason' },
      () => registry.pause({ ...(until === undefined ? {} : { until }), reason, by }, now),
    );
    const howLong =
      current.until === undefined ? 'until resume' : `until ${showTime(current.until, now)}`;
    return {
      fields: {
        event: 'control.paused',
        reason: 'operator',
        ...(current.until === undefined ? {} : { until: iso(current.until) }),
        note: current.reason,
      },
      sentence: `paused ${howLong}: nothing is deleted; \`resume\` lifts it`,
    };
  });
}

/** `resume`: lifts the pause. */
export async function resumeCommand(
  session: RegistrySession,
  flags: RegistryFlags & { reason?: string },
  io: CliIo,
): Promise<number> {
  const registry = requireRegistry(session);
  const now = session.now();
  return recordChange(session, flags, io, async (by) => {
    const { previous } = await asFlags({ reason: '--reason' }, () =>
      registry.resume({ by, ...(flags.reason ? { reason: flags.reason } : {}) }, now),
    );
    const was = previous?.paused ? `was paused by ${plainText(previous.by)}` : 'was not paused';
    return {
      fields: {
        event: 'control.resumed',
        reason: 'operator',
        ...(flags.reason ? { note: flags.reason } : {}),
      },
      sentence: `resumed (${was}): deletions may run again`,
    };
  });
}
