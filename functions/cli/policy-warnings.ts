import type { Gateway } from '#core/model';
import { globToRegExp } from '#core/policy/glob';
import type { PolicyDocument } from '#core/policy/policy';

// Regular-expression syntax that a glob (only `*` and `?`) takes literally: `pr-.*` never
// matches `pr-1`, and a rule that matches nothing deletes nothing, silently.
const REGEX_IN_GLOB = /\.[*+]|[\\^$+()[\]{}|]/;

/** One name pattern of a policy, where it is, and whether it is a glob or a regex. */
interface NamePattern {
  path: string;
  pattern: string;
  kind: 'glob' | 'regex' | 'id';
}

/**
 * The footguns of a valid policy (docs/contract.md, "Checked before it deploys"): a glob
 * written as a regular expression, a rule whose `match` is empty (it matches every gateway),
 * and no `protect` list. Each warning names its path in the policy.
 */
export function policyWarnings(doc: PolicyDocument): string[] {
  const warnings: string[] = [];
  for (const { path, pattern, kind } of namePatterns(doc)) {
    if (kind === 'glob' && REGEX_IN_GLOB.test(pattern)) {
      warnings.push(
        `${path}: "${pattern}" looks like a regular expression, but globs know only * and ?; use match.nameRegex for a regex`,
      );
    }
  }
  doc.rules.forEach((rule, n) => {
    if (Object.keys(rule.match).length === 0) {
      warnings.push(
        `rules[${n}].match: empty, so rule "${rule.id}" matches every gateway older than ${rule.maxAge}`,
      );
    }
  });
  if (doc.protect.ids.length === 0 && doc.protect.names.length === 0) {
    warnings.push('protect: none; no gateway is protected by name or id (e.g. "prod-*")');
  }
  return warnings;
}

/** The policy's name patterns and protected ids that match none of the listed gateways. */
export function unmatchedPatterns(doc: PolicyDocument, gateways: readonly Gateway[]): string[] {
  const ids = new Set(gateways.map((gateway) => gateway.id.toLowerCase()));
  const names = gateways.map((gateway) => gateway.name);
  return namePatterns(doc).flatMap(({ path, pattern, kind }) => {
    if (kind === 'id')
      return ids.has(pattern.toLowerCase()) ? [] : [`${path}: no listed gateway has id ${pattern}`];
    // Protection matches names regardless of case (core/policy/compile-policy.ts).
    const flags = path.startsWith('protect') ? 'si' : 's';
    const regex =
      kind === 'glob' ? new RegExp(globToRegExp(pattern).source, flags) : new RegExp(pattern);
    return names.some((name) => regex.test(name))
      ? []
      : [`${path}: "${pattern}" matches none of the ${gateways.length} listed gateways`];
  });
}

function namePatterns(doc: PolicyDocument): NamePattern[] {
  const patterns: NamePattern[] = [];
  doc.rules.forEach((rule, n) => {
    if (rule.match.name !== undefined)
      patterns.push({ path: `rules[${n}].match.name`, pattern: rule.match.name, kind: 'glob' });
    if (rule.match.nameRegex !== undefined)
      patterns.push({
        path: `rules[${n}].match.nameRegex`,
        pattern: rule.match.nameRegex,
        kind: 'regex',
      });
  });
  doc.protect.names.forEach((pattern, n) => {
    patterns.push({ path: `protect.names[${n}]`, pattern, kind: 'glob' });
  });
  doc.protect.ids.forEach((pattern, n) => {
    patterns.push({ path: `protect.ids[${n}]`, pattern, kind: 'id' });
  });
  (doc.teardown?.allow?.names ?? []).forEach((pattern, n) => {
    patterns.push({ path: `teardown.allow.names[${n}]`, pattern, kind: 'glob' });
  });
  return patterns;
}
