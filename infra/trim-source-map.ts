import { decode, encode, type SourceMapSegment } from '@jridgewell/sourcemap-codec';

interface SourceMapV3 {
  version: 3;
  sources: string[];
  names: string[];
  mappings: string;
  [key: string]: unknown;
}

/**
 * Keeps only the mappings into the project's own sources (`keep` decides by path), so
 * stack traces through our code stay readable while the map of the bundled libraries,
 * most of its weight, is left out of the cold-start zip.
 */
export function trimSourceMap(map: SourceMapV3, keep: (source: string) => boolean): SourceMapV3 {
  const sourceIndex = new Map<number, number>();
  const nameIndex = new Map<number, number>();
  const sources: string[] = [];
  const names: string[] = [];
  const remap = (index: Map<number, number>, list: string[], from: string[], i: number) => {
    let j = index.get(i);
    if (j === undefined) {
      j = list.push(from[i] as string) - 1;
      index.set(i, j);
    }
    return j;
  };
  const lines = decode(map.mappings).map((line) =>
    line.flatMap((segment): SourceMapSegment[] => {
      if (segment.length === 1 || !keep(map.sources[segment[1]] ?? '')) return [];
      const [column, source, line_, sourceColumn] = segment;
      const s = remap(sourceIndex, sources, map.sources, source);
      if (segment.length === 5) {
        return [[column, s, line_, sourceColumn, remap(nameIndex, names, map.names, segment[4])]];
      }
      return [[column, s, line_, sourceColumn]];
    }),
  );
  return { ...map, sources, names, mappings: encode(lines) };
}
