import type { GatewayStatus } from '../model.ts';
import { parseDuration } from '../time.ts';
import type { ChangeWindow } from './change-windows.ts';
import { globToRegExp } from './glob.ts';
import type { AgeFrom, PolicyDocument } from './policy.ts';

/** A rule ready to evaluate: globs and regexes compiled, maxAge in milliseconds. */
export interface CompiledRule {
  id: string;
  maxAgeMs: number;
  ageFrom: AgeFrom;
  /** The rule opts into deleting deployments first (docs/contract.md "Never orphan what is serving"). */
  deleteDeployments: boolean;
  name?: RegExp;
  nameRegex?: RegExp;
  zones?: ReadonlySet<string>;
  status?: ReadonlySet<GatewayStatus>;
  organizationId?: string;
  /** Who is told before this rule's gateways go (`owner`). */
  owner?: string;
}

/** A validated policy compiled once per run. */
export interface Policy {
  rules: CompiledRule[];
  protectIds: ReadonlySet<string>;
  protectNames: RegExp[];
  /** `maxDeletesPer24h`: the rolling budget; undefined: the default with a registry, none without */
  limits: { maxDeletesPerRun: number; maxDeletePercent: number; maxDeletesPer24h?: number };
  /** When deletions may run (`windows`); undefined: any time. */
  windows?: ChangeWindow[];
  /** How far ahead leases and exemptions may reach (`leases`; 30 days each by default). */
  leases?: { maxTtlMs: number; maxKeepMs: number };
  /** Names a queue or CLI teardown may delete; undefined: any unprotected gateway. */
  teardownAllowNames?: RegExp[];
  /** A teardown request's `deleteDeployments` is honoured (`teardown.allow.deleteDeployments`). */
  teardownAllowsDeployments: boolean;
  /** Owners are told `beforeMs` ahead of a deletion (`notice`); undefined: notice off. */
  notice?: { beforeMs: number; defaultOwner: string };
}

/** Compiles a validated policy document. */
export function compilePolicy(doc: PolicyDocument): Policy {
  return {
    rules: doc.rules.map((rule) => {
      const compiled: CompiledRule = {
        id: rule.id,
        maxAgeMs: parseDuration(rule.maxAge) ?? Number.POSITIVE_INFINITY,
        // A status rule means "this long in that state": createdAt would let a month-old
        // gateway go minutes after it entered the state (docs/contract.md "The policy").
        ageFrom: rule.ageFrom ?? (rule.match.status === undefined ? 'createdAt' : 'updatedAt'),
        // Off unless a rule says so: a deployment holds GPUs someone may still be using.
        deleteDeployments: rule.deleteDeployments === true,
      };
      const m = rule.match;
      if (m.name !== undefined) compiled.name = globToRegExp(m.name);
      if (m.nameRegex !== undefined) compiled.nameRegex = new RegExp(m.nameRegex);
      if (m.zones !== undefined) compiled.zones = new Set(m.zones);
      if (m.status !== undefined) compiled.status = new Set(m.status);
      if (m.organizationId !== undefined) compiled.organizationId = m.organizationId;
      if (rule.owner !== undefined) compiled.owner = rule.owner;
      return compiled;
    }),
    protectIds: new Set(doc.protect.ids.map((id) => id.toLowerCase())),
    // Protection errs towards keeping: `prod-*` also protects `PROD-API`.
    protectNames: doc.protect.names.map((glob) => new RegExp(globToRegExp(glob).source, 'si')),
    limits: { ...doc.limits },
    ...(doc.windows ? { windows: doc.windows } : {}),
    leases: {
      maxTtlMs: parseDuration(doc.leases.maxTtl) ?? 0,
      maxKeepMs: parseDuration(doc.leases.maxKeep) ?? 0,
    },
    ...(doc.teardown?.allow?.names
      ? { teardownAllowNames: doc.teardown.allow.names.map(globToRegExp) }
      : {}),
    // Off unless the policy says so: whoever can send a request must not be able to
    // delete a deployment the policy's owner never agreed to (docs/contract.md).
    teardownAllowsDeployments: doc.teardown?.allow?.deleteDeployments === true,
    ...(doc.notice
      ? {
          notice: {
            beforeMs: parseDuration(doc.notice.before) ?? 0,
            defaultOwner: doc.notice.defaultOwner,
          },
        }
      : {}),
  };
}
