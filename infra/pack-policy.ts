import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { buffer } from 'node:stream/consumers';
import { type Entry, fromBuffer } from 'yauzl';
import { ZipFile } from 'yazl';
import { readPolicyFile } from '../functions/cli/read-policy-file.ts';

/** The policy's name inside each function's zip, read through JANITOR_POLICY_FILE. */
export const POLICY_IN_ZIP = 'policy.json';

/**
 * Validates a policy file (JSON or YAML) with the functions' own schema and writes it, as
 * JSON, into each zip as `policy.json`: in the code, not the environment, whose 4 KB
 * Lambda limit would cap the policy (docs/deploy.md, "The policy"). Errors name the file
 * and the key at fault; `param` names what chose the file.
 */
export async function packPolicy(
  policyFile: string,
  zips: readonly string[],
  param = '--policy',
): Promise<{ bytes: number }> {
  const document = await readPolicyFile(policyFile, param);
  const json = Buffer.from(JSON.stringify(document));
  for (const zip of zips) await replaceEntry(zip, POLICY_IN_ZIP, json);
  return { bytes: json.length };
}

/** Rewrites a zip with `name` holding `contents`; the rest of its entries are kept as they are. */
async function replaceEntry(zipPath: string, name: string, contents: Buffer): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = await readFile(zipPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new Error(`cannot read ${zipPath} (${code}); run npm run build first`);
  }
  const kept = (await readEntries(bytes)).filter((entry) => entry.name !== name);
  const zip = new ZipFile();
  // The build's fixed mtime and mode: the same code and policy give the same zip, so an
  // unchanged function is not redeployed (infra/build.ts).
  const options = { mtime: new Date('2000-01-01T00:00:00Z'), mode: 0o100644 };
  for (const entry of [...kept, { name, contents }])
    zip.addBuffer(entry.contents, entry.name, options);
  zip.end();
  const written = await buffer(zip.outputStream);
  const partial = `${zipPath}.partial`;
  try {
    await writeFile(partial, written);
    await rename(partial, zipPath);
  } finally {
    await rm(partial, { force: true });
  }
}

function readEntries(bytes: Buffer): Promise<{ name: string; contents: Buffer }[]> {
  return new Promise((done, fail) => {
    fromBuffer(bytes, { lazyEntries: true }, (openError, zip) => {
      if (openError) return fail(openError);
      const entries: { name: string; contents: Buffer }[] = [];
      zip.on('error', fail).on('end', () => done(entries));
      zip.on('entry', (entry: Entry) => {
        zip.openReadStream(entry, (readError, stream) => {
          if (readError) return fail(readError);
          buffer(stream).then((contents) => {
            entries.push({ name: entry.fileName, contents });
            zip.readEntry();
          }, fail);
        });
      });
      zip.readEntry();
    });
  });
}
