'use strict';

const { deployError, optionalParam, refusePlaceholder } = require('./deploy-checks.cjs');

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/;

/**
 * Resolves `${file(./infra/deploy-params.cjs)}` in serverless.yml to the params every
 * deploy must state, checked (docs/deploy.md, "Parameters"):
 * - `dryRun`: exactly `true` or `false`, and required: with a default, a redeploy that
 *   forgot it would silently switch the janitor to dry run (or to live);
 * - `secretArn`: a Secrets Manager secret ARN, not a placeholder;
 * - `kmsKeyArn`: empty, or a KMS key ARN that is not a placeholder.
 */
module.exports = async ({ resolveVariable }) => {
  const dryRun = await optionalParam(resolveVariable, 'dryRun');
  if (!['true', 'false', true, false].includes(dryRun)) {
    throw deployError(
      dryRun === undefined
        ? 'dryRun: required on every deploy: --param dryRun=true (record what would be deleted) or --param dryRun=false (delete)'
        : `dryRun: expected exactly true or false, got "${dryRun}"`,
    );
  }
  const secretArn = String((await optionalParam(resolveVariable, 'secretArn')) ?? '');
  if (!SECRET_ARN.test(secretArn)) {
    throw deployError(
      secretArn === ''
        ? 'secretArn: required: the ARN of the Secrets Manager secret holding the CoreWeave API token'
        : `secretArn: "${secretArn}" is not a Secrets Manager secret ARN`,
    );
  }
  refusePlaceholder('secretArn', secretArn);
  const kmsKeyArn = String((await optionalParam(resolveVariable, 'kmsKeyArn')) ?? '');
  if (kmsKeyArn !== '') {
    if (!KMS_KEY_ARN.test(kmsKeyArn))
      throw deployError(`kmsKeyArn: "${kmsKeyArn}" is not a KMS key ARN`);
    refusePlaceholder('kmsKeyArn', kmsKeyArn);
  }
  return { dryRun: String(dryRun), secretArn, kmsKeyArn };
};
