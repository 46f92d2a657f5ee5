/**
 * Reads the imports of the repository's source files, for the architecture check
 * (test/unit/architecture.test.ts): the import graph, its circles and the core's layers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CORE = 'functions/core/';

/**
 * The core's layers, bottom first (docs/contract.md "The core's layers"): a core module (a top-level file or
 * a folder) imports only from modules of a lower layer, never sideways or up.
 */
export const CORE_LAYERS: readonly (readonly string[])[] = [
  ['errors.ts', 'model.ts', 'time.ts', 'map-bounded.ts'],
  ['ports.ts', 'registry-port.ts'],
  ['policy/'],
  ['audit/'],
  ['cascade.ts', 'confirmation/', 'registry/'],
  ['sweep/', 'teardown/'],
];

/** What the core may import from outside itself: the schema library and Node's own modules. */
const CORE_MAY_IMPORT = [/^zod\/mini$/, /^node:/];

const SUBPATHS = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).imports as Record<
  string,
  string
>;

export function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** Every module a file names in an import, an export-from or a literal dynamic import. */
export function importsOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) found.push(match[1] as string);
  }
  return found;
}

/** The repository path an import names, or the bare package name for a dependency. */
function resolveImport(from: string, spec: string): string {
  if (spec.startsWith('.')) return relative(ROOT, resolve(ROOT, dirname(from), spec));
  for (const [pattern, target] of Object.entries(SUBPATHS)) {
    const prefix = pattern.slice(0, -1);
    if (pattern.endsWith('*') && spec.startsWith(prefix))
      return relative(ROOT, resolve(ROOT, target.replace('*', spec.slice(prefix.length))));
  }
  return spec;
}

/** The core module a core file belongs to: its top-level file, or its folder. */
export function coreModule(file: string): string {
  const inside = file.slice(CORE.length);
  const slash = inside.indexOf('/');
  return slash === -1 ? inside : inside.slice(0, slash + 1);
}

function layerOf(module: string): number {
  return CORE_LAYERS.findIndex((layer) => layer.includes(module));
}

/** The import graph of the given files: file -> the repository files or packages it imports. */
export function importGraph(
  files: readonly string[],
  read = (file: string) => readFileSync(join(ROOT, file), 'utf8'),
) {
  return new Map(
    files.map((file) => [file, importsOf(read(file)).map((spec) => resolveImport(file, spec))]),
  );
}

/** Why the graph breaks the layering: one line per offending import. */
export function layerViolations(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const problems: string[] = [];
  for (const [file, targets] of graph) {
    if (!file.startsWith(CORE)) continue;
    const from = coreModule(file);
    for (const target of targets) {
      if (!target.startsWith(CORE)) {
        if (!CORE_MAY_IMPORT.some((allowed) => allowed.test(target)))
          problems.push(`${file} imports ${target} from outside the core`);
        continue;
      }
      const to = coreModule(target);
      if (to === from) continue;
      if (layerOf(from) < 0 || layerOf(to) < 0)
        problems.push(`${file} -> ${target}: ${layerOf(from) < 0 ? from : to} is in no layer`);
      else if (layerOf(to) >= layerOf(from))
        problems.push(`${file} imports ${target}, which is not in a lower layer`);
    }
  }
  return problems;
}

/** Every import circle of the graph (Tarjan's strongly connected components of 2+ files). */
export function importCircles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file) as number);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file) as number, low.get(next) as number));
      } else if (onStack.has(next))
        low.set(file, Math.min(low.get(file) as number, index.get(next) as number));
    }
    if (low.get(file) !== index.get(file)) return;
    const circle: string[] = [];
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      onStack.delete(member);
      circle.push(member);
      if (member === file) break;
    }
    if (circle.length > 1 || (graph.get(file) ?? []).includes(file)) circles.push(circle.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return circles;
}
