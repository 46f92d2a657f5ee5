import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CORE_LAYERS,
  coreModule,
  importCircles,
  importGraph,
  importsOf,
  layerViolations,
  ROOT,
  sourceFiles,
} from '#test/support/import-graph';

describe('the import structure', () => {
  const graph = importGraph(sourceFiles('functions'));

  it('has no import circle anywhere under functions/', () => {
    expect(importCircles(graph)).toEqual([]);
  });

  it('keeps the adapters below the composition roots: no adapter imports wiring, config or the CLI', () => {
    const above = /^functions\/(wiring|config|cli)\/|^functions\/(sweep|teardown)\.ts$/;
    const upward = [...graph].flatMap(([file, targets]) =>
      file.startsWith('functions/adapters/')
        ? targets.filter((target) => above.test(target)).map((target) => `${file} -> ${target}`)
        : [],
    );
    expect(upward).toEqual([]);
  });

  it('keeps every core import pointing at a lower layer, and nothing outside the core but zod', () => {
    expect(layerViolations(graph)).toEqual([]);
  });

  it('places every core module in exactly one layer', () => {
    const modules = new Set(sourceFiles('functions/core').map(coreModule));
    const declared = CORE_LAYERS.flat();
    expect([...modules].filter((module) => !declared.includes(module))).toEqual([]);
    expect(declared.filter((module) => !modules.has(module))).toEqual([]);
    expect(new Set(declared).size).toBe(declared.length);
  });

  it('holds the core to at most 35 files', () => {
    expect(sourceFiles('functions/core').length).toBeLessThanOrEqual(35);
  });

  it('keeps every source file under functions/, infra/ and test/ to 350 lines at most', () => {
    const long = ['functions', 'infra', 'test']
      .flatMap(sourceFiles)
      .filter((file) => readFileSync(join(ROOT, file), 'utf8').split('\n').length > 351);
    expect(long).toEqual([]);
  });
});

describe('the architecture check itself', () => {
  it('reports an import circle', () => {
    const graph = new Map([
      ['functions/core/a.ts', ['functions/core/b.ts']],
      ['functions/core/b.ts', ['functions/core/a.ts']],
      ['functions/core/c.ts', ['functions/core/a.ts']],
    ]);
    expect(importCircles(graph)).toEqual([['functions/core/a.ts', 'functions/core/b.ts']]);
  });

  it('reports a core import that runs up, sideways or out to an adapter or an SDK', () => {
    const graph = new Map([
      ['functions/core/model.ts', ['functions/core/audit/record.ts']],
      ['functions/core/sweep/run-sweep.ts', ['functions/core/teardown/context.ts']],
      [
        'functions/core/cascade.ts',
        ['functions/adapters/logging/logger.ts', '@aws-sdk/client-sqs'],
      ],
      ['functions/core/teardown/admit.ts', ['functions/core/teardown/context.ts', 'zod/mini']],
    ]);
    expect(layerViolations(graph)).toEqual([
      'functions/core/model.ts imports functions/core/audit/record.ts, which is not in a lower layer',
      'functions/core/sweep/run-sweep.ts imports functions/core/teardown/context.ts, which is not in a lower layer',
      'functions/core/cascade.ts imports functions/adapters/logging/logger.ts from outside the core',
      'functions/core/cascade.ts imports @aws-sdk/client-sqs from outside the core',
    ]);
  });

  it('reads static, type-only, re-exported and literal dynamic imports', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type {\n  B,\n} from '#core/model';",
      "export { c } from '../c.ts';",
      "import 'side-effect';",
      "const d = await import('undici');",
    ].join('\n');
    expect(importsOf(source)).toEqual([
      './a.ts',
      '#core/model',
      '../c.ts',
      'side-effect',
      'undici',
    ]);
  });
});
