'use strict';

const { readFile } = require('node:fs/promises');
const path = require('node:path');

/**
 * Resolves `${file(./infra/policy-env.cjs)}` in serverless.yml to the policy file named
 * by the `policyFile` param, as one compact JSON string for JANITOR_POLICY: a plain
 * `${file(x.json)}` would give an object, which CloudFormation cannot put in an
 * environment variable. Invalid JSON fails packaging; the Lambda validates the rules.
 */
module.exports = async ({ resolveVariable }) => {
  const file = await resolveVariable('param:policyFile');
  const fullPath = path.resolve(__dirname, '..', file);
  let text;
  try {
    text = await readFile(fullPath, 'utf8');
  } catch (error) {
    throw new Error(`policyFile: cannot read ${file} (${error.code ?? error.message})`);
  }
  try {
    return JSON.stringify(JSON.parse(text));
  } catch (error) {
    throw new Error(`policyFile: ${file} is not valid JSON (${error.message})`);
  }
};
