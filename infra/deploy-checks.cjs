'use strict';

// Shared by the `${file(./infra/*.cjs)}` resolvers of serverless.yml: the checks a deploy
// parameter passes before anything is packaged (docs/deploy.md, "Parameters").

// Role or user ARNs only: they are matched against aws:PrincipalArn, which names the
// role or user that signed the request, never an account root or a wildcard.
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;

/**
 * Why an ARN is a placeholder copied from an example rather than a real one, or
 * undefined: an account of twelve equal digits or the documentation's 123456789012, or
 * the examples' `AbCdEf` / `EXAMPLE` markers.
 */
function placeholderIn(arn) {
  const account = /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1];
  if (account && (/^(\d)\1{11}$/.test(account) || account === '123456789012')) {
    return `account ${account} is a placeholder`;
  }
  const marker = ['AbCdEf', 'EXAMPLE'].find((text) => arn.includes(text));
  return marker ? `"${marker}" marks an example` : undefined;
}

/**
 * An error osls prints as its message alone: it prints `error.stack` of what a resolver
 * throws, and a stack trace would bury the parameter's name.
 */
function deployError(message) {
  const error = new Error(message);
  error.stack = message;
  return error;
}

/** Throws naming `param` when `arn` is a placeholder. */
function refusePlaceholder(param, arn) {
  const why = placeholderIn(arn);
  if (why) throw deployError(`${param}: "${arn}" is a placeholder (${why}); pass the real ARN`);
}

/** A param's value, or undefined when it is not set (osls throws on a missing param). */
async function optionalParam(resolveVariable, name) {
  const value = await resolveVariable(`param:${name}, null`);
  return value === null || value === undefined ? undefined : value;
}

/**
 * The param `name` read as comma-separated IAM role or user ARNs: `arns`, the list
 * (trimmed, without duplicates), and `joined`, the same comma-joined ('' for none) for a
 * condition. Anything else, or a placeholder, fails packaging naming the param.
 */
async function principalArns(resolveVariable, name) {
  const raw = String((await optionalParam(resolveVariable, name)) ?? '');
  const principals = raw
    .split(',')
    .map((arn) => arn.trim())
    .filter((arn) => arn !== '');
  for (const arn of principals) {
    if (!PRINCIPAL_ARN.test(arn)) {
      throw deployError(
        `${name}: "${arn}" is not an IAM role or user ARN (arn:aws:iam::<account>:role/<name>)`,
      );
    }
    refusePlaceholder(name, arn);
  }
  const arns = [...new Set(principals)];
  return { arns, joined: arns.join(',') };
}

module.exports = { deployError, optionalParam, placeholderIn, principalArns, refusePlaceholder };
