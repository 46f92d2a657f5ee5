'use strict';

const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { deployError } = require('./deploy-checks.cjs');

/**
 * Resolves `${file(./infra/policy-env.cjs)}` in serverless.yml to JANITOR_POLICY_FILE: the
 * policy file named by the `policyFile` param (JSON or YAML) is validated with the
 * functions' own schema (functions/core/policy) and written into both functions' zips as
 * `policy.json` (infra/pack-policy.ts). A misspelt key fails packaging, naming the file
 * and the key; a policy of any size deploys, since it is not in the environment.
 */
module.exports = async ({ resolveVariable }) => {
  const file = String((await resolveVariable('param:policyFile')) ?? '');
  const root = path.resolve(__dirname, '..');
  const fullPath = path.resolve(root, file);
  // Named as given when osls runs from the repository root, as it does.
  const named = path.resolve(file) === fullPath ? file : fullPath;
  const { packPolicy, POLICY_IN_ZIP } = await import(
    pathToFileURL(path.join(__dirname, 'pack-policy.ts')).href
  );
  const zips = ['sweep', 'teardown'].map((name) => path.join(root, 'dist', `${name}.zip`));
  try {
    await packPolicy(named, zips, 'policyFile');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw deployError(message.startsWith('policyFile') ? message : `policyFile: ${message}`);
  }
  return POLICY_IN_ZIP;
};
