import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type Entry, openPromise } from 'yauzl';

/** Extracts a Lambda zip as the runtime would see it; returns the entry names. */
export async function unzipArtifact(zipPath: string, into: string): Promise<string[]> {
  const zip = await openPromise(zipPath, { lazyEntries: true });
  const names: string[] = [];
  try {
    await new Promise<void>((done, fail) => {
      zip.on('error', fail).on('end', done);
      zip.on('entry', (entry: Entry) => {
        const name = normalize(entry.fileName);
        if (name.startsWith('..') || name.startsWith('/')) {
          fail(new Error(`unsafe entry ${entry.fileName}`));
          return;
        }
        names.push(name);
        const target = join(into, name);
        mkdir(dirname(target), { recursive: true })
          .then(() => zip.openReadStreamPromise(entry))
          .then((stream) => pipeline(stream, createWriteStream(target)))
          .then(() => zip.readEntry(), fail);
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return names;
}
