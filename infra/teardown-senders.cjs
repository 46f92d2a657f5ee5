'use strict';

// Role or user ARNs only: they are matched against aws:PrincipalArn, which names the
// role or user that signed the request, never an account root or a wildcard.
const SENDER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;

/**
 * Resolves `${file(./infra/teardown-senders.cjs)}` in serverless.yml to the `teardownSenders`
 * param read as IAM role or user ARNs, for the teardown queue's policy (docs/deploy.md,
 * "Who may send teardown requests"): `arns`, the list, and `joined`, the same comma-joined
 * ('' for nobody) for a condition. A value that is not such an ARN fails packaging with a
 * message naming the param.
 */
module.exports = async ({ resolveVariable }) => {
  const raw = String((await resolveVariable('param:teardownSenders')) ?? '');
  const senders = raw
    .split(',')
    .map((sender) => sender.trim())
    .filter((sender) => sender !== '');
  for (const sender of senders) {
    if (!SENDER_ARN.test(sender)) {
      throw new Error(
        `teardownSenders: "${sender}" is not an IAM role or user ARN (arn:aws:iam::<account>:role/<name>)`,
      );
    }
  }
  const arns = [...new Set(senders)];
  return { arns, joined: arns.join(',') };
};
