import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One fenced code block of a Markdown file: its language, its marker, its text. */
export interface DocBlock {
  file: string;
  /** 1-based line of the opening fence */
  line: number;
  lang: string;
  /** the word after the language: run, ci, live or slow for shell blocks (docs/writing-docs.md) */
  marker: string;
  text: string;
}

/** The languages whose blocks are commands to type, and so need a marker. */
export const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'console', 'zsh']);

/** The markers a shell block may carry (docs/writing-docs.md). */
export const MARKERS = ['run', 'ci', 'live', 'slow'] as const;

/** A line that reads as a command to type, whatever the block's language says. */
export const COMMAND_LINE = /^(?:\$ )?(?:npm|npx|node|aws|git|curl) /;

/** The README and every file in docs/, as paths relative to the repository root. */
export function docFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs.sort()];
}

/** The fenced blocks of one Markdown file, in order. */
export function docBlocks(root: string, file: string): DocBlock[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  let open: { line: number; lang: string; marker: string; fence: string; body: string[] } | null =
    null;
  lines.forEach((raw, index) => {
    const text = raw.trimStart();
    if (open) {
      if (text.startsWith(open.fence) && text.slice(open.fence.length).trim() === '') {
        blocks.push({
          file,
          line: open.line,
          lang: open.lang,
          marker: open.marker,
          text: open.body.join('\n'),
        });
        open = null;
      } else {
        // Blocks indented under a list item keep their own indentation relative to the fence.
        open.body.push(raw);
      }
      return;
    }
    const fence = /^(`{3,}|~{3,})\s*([\w-]*)\s*([\w-]*)/.exec(text);
    if (fence) {
      open = {
        line: index + 1,
        lang: fence[2] ?? '',
        marker: fence[3] ?? '',
        fence: fence[1] ?? '```',
        body: [],
      };
    }
  });
  return blocks;
}

/**
 * The command lines of a block: comments dropped, lines ending in a backslash joined to
 * the next, a leading `$ ` or a YAML `run: ` removed.
 */
export function commandLines(text: string): string[] {
  const joined = text.replace(/\\\n\s*/g, ' ');
  return joined
    .split('\n')
    .map((line) =>
      line
        .trim()
        .replace(/^\$ /, '')
        .replace(/^(?:- )?run: ?\|?\s*/, ''),
    )
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/**
 * The arguments after `npx gateway-janitor` in a command line, split as a shell would
 * split plain words and quotes; stops at a pipe, redirection, `&&`, `;` or a comment.
 * Variables and substitutions stay as written: the parser only checks the shape.
 */
export function janitorArgs(line: string): string[] | undefined {
  const start = line.indexOf('npx gateway-janitor');
  if (start < 0) return undefined;
  const rest = line.slice(start + 'npx gateway-janitor'.length);
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (const match of rest.matchAll(pattern)) {
    const bare = match[3];
    if (bare !== undefined && /^(?:\||\|\||&&|;|&|#.*|\d?>>?.*|<)$/.test(bare)) break;
    words.push(match[1] ?? match[2] ?? bare ?? '');
  }
  return words;
}
