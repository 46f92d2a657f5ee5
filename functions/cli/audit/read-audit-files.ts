import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { ValidationError } from '#core/errors';

/**
 * The lines of each file (`-` is stdin), in the order given. A file that cannot be read
 * is a usage error naming it; nothing is read from the others.
 */
export async function readAuditFiles(
  paths: readonly string[],
  stdin: NodeJS.ReadableStream,
): Promise<string[]> {
  const lines: string[] = [];
  for (const path of paths) {
    let content: string;
    try {
      content = path === '-' ? await text(stdin) : await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new ValidationError('CONFIG_INVALID', '--file', `cannot read ${path} (${code})`);
    }
    for (const line of content.split(/\r?\n/)) lines.push(line);
  }
  return lines;
}
