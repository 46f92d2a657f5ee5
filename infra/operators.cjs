'use strict';

const { principalArns } = require('./deploy-checks.cjs');

/**
 * Resolves `${file(./infra/operators.cjs)}` in serverless.yml to the `operators` param: the
 * IAM role or user ARNs that may receive, delete and purge messages on both queues besides
 * the janitor's own roles (docs/deploy.md, "Who may read the queues"), as `arns` and
 * `joined` like teardownSenders.
 */
module.exports = async ({ resolveVariable }) => principalArns(resolveVariable, 'operators');
