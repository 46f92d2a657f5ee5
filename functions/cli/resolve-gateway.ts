import { ValidationError } from '#core/errors';
import { GATEWAY_ID } from '#core/model';
import { plainText } from './safe-output.ts';

/** The shortest id prefix that names a gateway: what `plan`, `sweep` and `teardown` print. */
export const MIN_ID_PREFIX = 8;

/** A gateway as the resolver sees it: its id, and its name and `createdAt` when known. */
export interface GatewayRef {
  id: string;
  name?: string;
  createdAt?: string;
}

/** What a name or id given on the command line turned out to be. */
export interface Resolved extends GatewayRef {
  /** how it matched: the uuid itself, a unique id prefix, or an exact name */
  by: 'id' | 'prefix' | 'name';
}

const ID_PREFIX = /^[0-9a-f-]+$/i;

/**
 * Every gateway among `known` that `text` names: the gateway with that full uuid, those
 * whose id starts with it (at least MIN_ID_PREFIX characters), and those with exactly that
 * name. Letter case is ignored for ids, never for names.
 */
export function matchGateways(text: string, known: readonly GatewayRef[]): Resolved[] {
  const lower = text.toLowerCase();
  const isPrefix = ID_PREFIX.test(text) && text.length >= MIN_ID_PREFIX;
  const matches = new Map<string, Resolved>();
  for (const gateway of known) {
    const id = gateway.id.toLowerCase();
    const by: Resolved['by'] | undefined =
      id === lower ? 'id' : isPrefix && id.startsWith(lower) ? 'prefix' : undefined;
    if (by) matches.set(gateway.id, { ...gateway, by });
    else if (gateway.name === text && !matches.has(gateway.id))
      matches.set(gateway.id, { ...gateway, by: 'name' });
  }
  const exact = [...matches.values()].filter((m) => m.by === 'id');
  return exact.length > 0 ? exact.slice(0, 1) : [...matches.values()];
}

/**
 * The one gateway `text` names (docs/cli.md, "Naming a gateway"): a full uuid, a unique
 * uuid prefix of at least 8 characters, or an exact name, among the gateways listed. A
 * full uuid that is not listed is returned as is: the command decides what an unknown id
 * means (teardown records `not_found`). Anything else that matches no gateway, or more
 * than one, is a usage error naming `field` and listing the candidates.
 */
export function resolveGateway(
  text: string,
  known: readonly GatewayRef[],
  field = '<gateway>',
): Resolved {
  const matches = matchGateways(text, known);
  if (matches.length > 1) throw ambiguous(text, matches, field);
  const [match] = matches;
  if (match) return match;
  if (GATEWAY_ID.test(text)) return { id: text, by: 'id' };
  if (ID_PREFIX.test(text) && text.length < MIN_ID_PREFIX && !known.some((g) => g.name === text)) {
    throw new ValidationError(
      'CONFIG_INVALID',
      field,
      `"${text}" is too short: give a gateway's full id, at least ${MIN_ID_PREFIX} characters of it, or its exact name`,
    );
  }
  throw new ValidationError(
    'CONFIG_INVALID',
    field,
    `no gateway is named "${text}" or has an id starting with it (${known.length} listed); names match exactly, ids from ${MIN_ID_PREFIX} characters (see \`plan --wide\`)`,
  );
}

/** True when `text` can only be resolved against a list: not a full uuid. */
export function needsListing(text: string): boolean {
  return !GATEWAY_ID.test(text);
}

/** The usage error for a name or prefix that matches several gateways. */
export function ambiguous(text: string, matches: readonly GatewayRef[], field: string): Error {
  // Names come from whoever created the gateways: no control characters reach the terminal.
  const shown = matches
    .slice(0, 10)
    .map((m) => `  ${plainText(m.id)}  ${m.name === undefined ? '(no name)' : plainText(m.name)}`);
  if (matches.length > shown.length) shown.push(`  and ${matches.length - shown.length} more`);
  return new ValidationError(
    'CONFIG_INVALID',
    field,
    `"${plainText(text)}" matches ${matches.length} gateways; give one of these ids (or more of it):\n${shown.join('\n')}`,
  );
}
