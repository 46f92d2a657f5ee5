import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ValidationError } from '#core/errors';
import { type PolicyDocument, parsePolicy } from '#core/policy/policy';

/**
 * Reads and validates a policy file, JSON or YAML by extension. Errors name the file and
 * the path inside it, e.g. `policy.json: rules[0].maxAge: expected a duration ...`;
 * an unreadable file is blamed on `source`, the flag or parameter that named it.
 */
export async function readPolicyFile(file: string, source = '--policy'): Promise<PolicyDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ValidationError('CONFIG_INVALID', source, `cannot read ${file} (${code})`);
  }
  const data = /\.ya?ml$/i.test(file) ? fromYaml(text, file) : fromJson(text, file);
  try {
    // An empty source makes parsePolicy report the bare path inside the document.
    return parsePolicy(data, '');
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const inside = error.field.replace(/^\./, '');
    const message = error.message.slice(error.field.length + 2);
    throw new ValidationError('POLICY_INVALID', inside ? `${file}: ${inside}` : file, message);
  }
}

function fromJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError('POLICY_INVALID', file, `not valid JSON (${firstLine(error)})`);
  }
}

function fromYaml(text: string, file: string): unknown {
  try {
    return parseYaml(text);
  } catch (error) {
    throw new ValidationError('POLICY_INVALID', file, `not valid YAML (${firstLine(error)})`);
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
