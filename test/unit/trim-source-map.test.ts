import { decode, encode } from '@jridgewell/sourcemap-codec';
import { describe, expect, it } from 'vitest';
import { trimSourceMap } from '../../infra/trim-source-map.ts';

describe('trimSourceMap', () => {
  it('keeps mappings into our sources, re-indexed, and drops the libraries', () => {
    const map = {
      version: 3 as const,
      sources: [
        '../node_modules/undici/index.js',
        '../functions/sweep.ts',
        '../node_modules/zod/x.js',
      ],
      names: ['request', 'handler'],
      mappings: encode([
        [
          [0, 0, 10, 4, 0],
          [12, 1, 3, 2, 1],
        ],
        [[0, 2, 1, 1], [5, 1, 7, 0], [9]],
      ]),
    };
    const trimmed = trimSourceMap(map, (source) => !source.includes('node_modules/'));
    expect(trimmed.sources).toEqual(['../functions/sweep.ts']);
    expect(trimmed.names).toEqual(['handler']);
    expect(decode(trimmed.mappings)).toEqual([[[12, 0, 3, 2, 0]], [[5, 0, 7, 0]]]);
  });
});
