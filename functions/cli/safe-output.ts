// Gateway names, deployment names and `requestedBy` come from other people, and the audit
// record keeps them as they were sent. Everything the CLI prints passes through here, so
// that no value can drive the reader's terminal, spreadsheet or Markdown viewer
// (docs/contract.md "Review").

// ESC sequences: CSI (ESC [ ... final byte), OSC, DCS, SOS, PM and APC (ESC ] P X ^ _ ...
// up to BEL or ST), and the two-byte ones (ESC and one more character). The 8-bit
// introducers (CSI 0x9b, OSC 0x9d, ...) are C1 controls, removed below.
const ESCAPE_SEQUENCE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this module's job
  /\x1b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|[\s\S]?)/g;
// Line breaks and tabs become a space; other C0 controls, DEL, C1 controls and the
// Unicode bidirectional overrides (which reorder what a terminal shows) go.
const LINE_SPACE = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this module's job
const CONTROL = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text safe to show in a terminal: no escape sequences or control characters, one line. */
export function plainText(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(LINE_SPACE, ' ').replace(CONTROL, '');
}

const CSV_CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this module's job
  /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

// A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV
// injection"); a leading tab or CR can hide such a start.
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell (RFC 4180): terminal escapes, controls and bidi overrides removed (tab
 * and line breaks stay, quoted), a `'` before a formula start, quoted when it holds
 * `"`, `,` or a line break.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const text = value.replace(ESCAPE_SEQUENCE, '').replace(CSV_CONTROL, '');
  const guarded = FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/**
 * One Markdown table cell: plain text with backslash, `|`, backtick, `<`, `>`, `[` and
 * `]` escaped, so a value cannot end its cell, open a code span, or become HTML, a link
 * or an image the viewer fetches.
 */
export function markdownCell(text: string): string {
  return plainText(text).replace(/[\\|`<>[\]]/g, (c) => `\\${c}`);
}

// JSON.stringify escapes U+0000 to U+001F but leaves DEL, the C1 controls (0x9b is a
// CSI of its own), the bidi overrides and U+2028/2029 as they are.
const JSON_UNSAFE = /[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON.stringify, with every character a terminal could act on written as `\uXXXX`. */
export function jsonText(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(
    JSON_UNSAFE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
