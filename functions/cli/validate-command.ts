import type { CliIo } from './cli-io.ts';
import { openSession, type TargetFlags } from './open-session.ts';
import { policyWarnings, unmatchedPatterns } from './policy-warnings.ts';
import { readPolicyFile } from './read-policy-file.ts';

const NO_DEADLINE = { budgetMs: () => Number.POSITIVE_INFINITY };

/**
 * `validate --policy FILE`: the checks `npm run package` and `osls deploy` run on the
 * policy (the functions' own schema; an invalid policy throws, exit 2), then warnings
 * about footguns; with a token, also the patterns that match no listed gateway. Warnings
 * do not fail it: exit 0.
 */
export async function validateCommand(
  flags: TargetFlags & { policy: string },
  io: CliIo,
): Promise<number> {
  const doc = await readPolicyFile(flags.policy);
  const warnings = policyWarnings(doc);
  let fleetNote: string;
  if (hasToken(flags, io.env)) {
    const session = await openSession(flags, io);
    try {
      const gateways = await session.api.list(NO_DEADLINE);
      warnings.push(...unmatchedPatterns(doc, gateways));
      fleetNote = `patterns checked against ${gateways.length} gateways listed at ${session.target}`;
    } finally {
      await session.close();
    }
  } else {
    fleetNote =
      'patterns not checked against the fleet: no token (COREWEAVE_API_TOKEN or --secret-id)';
  }
  const rules = `${doc.rules.length} rule${doc.rules.length === 1 ? '' : 's'}`;
  io.out(`${flags.policy}: valid (${rules}); ${fleetNote}\n`);
  for (const warning of warnings) io.out(`warning: ${warning}\n`);
  return 0;
}

function hasToken(flags: TargetFlags, env: Record<string, string | undefined>): boolean {
  return Boolean(
    flags.simulate || flags.secretId || env.COREWEAVE_API_TOKEN || env.COREWEAVE_TOKEN_SECRET_ID,
  );
}
