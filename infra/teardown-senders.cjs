'use strict';

const { principalArns } = require('./deploy-checks.cjs');

/**
 * Resolves `${file(./infra/teardown-senders.cjs)}` in serverless.yml to the `teardownSenders`
 * param read as IAM role or user ARNs, for the teardown queue's policy (docs/deploy.md,
 * "Who may send teardown requests"): `arns`, the list, and `joined`, the same comma-joined
 * ('' for nobody) for a condition. A value that is not such an ARN fails packaging with a
 * message naming the param.
 */
module.exports = async ({ resolveVariable }) => principalArns(resolveVariable, 'teardownSenders');
