import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell, jsonText, markdownCell, plainText } from '#cli/safe-output';
import {
  HOSTILE_TEXT,
  HOSTILE_VALUES,
  parseCsv,
  TERMINAL_CONTROL,
} from '#test/fixtures/hostile-text';

describe('plainText', () => {
  it.each([
    ['a CSI colour and clear screen', HOSTILE_TEXT.clearScreen, 'pr-1red'],
    ['an OSC 8 hyperlink', HOSTILE_TEXT.hyperlink, 'click me'],
    ['an OSC title ended by ST', HOSTILE_TEXT.titleSet, 'ok'],
    ['an 8-bit CSI', HOSTILE_TEXT.c1Csi, 'a31mb'],
    ['a bidi override', HOSTILE_TEXT.bidi, 'safegpj.exe'],
    ['BEL, NUL and DEL', HOSTILE_TEXT.bell, 'ding'],
    ['line breaks and tabs', 'a\nb\r\nc\td', 'a b  c d'],
  ])('strips %s', (_case, input, output) => {
    expect(plainText(input)).toBe(output);
  });

  it('keeps ordinary names and other scripts as they are', () => {
    for (const name of ['pr-1377-streaming', 'chat_east.v2', 'Grüße', '推理网关']) {
      expect(plainText(name)).toBe(name);
    }
  });

  it('never lets a control character or escape through, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(plainText(text)).not.toMatch(TERMINAL_CONTROL);
      }),
    );
  });
});

describe('csvCell', () => {
  it.each([
    [HOSTILE_TEXT.formula],
    [HOSTILE_TEXT.plus],
    [HOSTILE_TEXT.minus],
    [HOSTILE_TEXT.at],
    [HOSTILE_TEXT.tab],
    [HOSTILE_TEXT.carriageReturn],
  ])('prefixes %j with a quote so no spreadsheet reads a formula', (value) => {
    const [[cell]] = parseCsv(`${csvCell(value)}\r\n`) as [[string]];
    expect(cell).toBe(`'${value}`);
  });

  it('leaves numbers, booleans and ordinary names alone', () => {
    expect([csvCell(-3), csvCell(true), csvCell(null), csvCell('pr-1')]).toEqual([
      '-3',
      'true',
      '',
      'pr-1',
    ]);
  });

  it('keeps one cell one cell, however many quotes, commas and line breaks it holds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 4 }),
        (cells) => {
          const rows = parseCsv(`${cells.map(csvCell).join(',')}\r\n`);
          expect(rows).toHaveLength(1);
          expect(rows[0]).toHaveLength(cells.length);
          for (const cell of rows[0] ?? []) {
            expect(cell).not.toMatch(/^[=+\-@\t\r]/);
            expect(cell).not.toContain('\x1b');
          }
        },
      ),
    );
  });
});

describe('markdownCell', () => {
  it('escapes pipes and backslashes and puts line breaks on one line', () => {
    expect(markdownCell(HOSTILE_TEXT.pipeAndBreaks)).toBe('a\\|b c  d\\\\\\|e');
  });

  it('escapes what would become a link, an image or HTML', () => {
    expect(markdownCell(HOSTILE_TEXT.markdownLink)).toBe(
      '\\[click\\](http://evil.invalid) !\\[x\\](http://evil.invalid/t.png) \\<img src=x\\>',
    );
  });

  it('never ends its cell early: every pipe it leaves is escaped', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const cell = markdownCell(text);
        // Drop escaped pairs, then no bare pipe, break or control may remain.
        expect(cell.replace(/\\[\s\S]/g, '')).not.toMatch(/[|\n\r]/);
        expect(cell).not.toMatch(TERMINAL_CONTROL);
      }),
    );
  });
});

describe('jsonText', () => {
  it('keeps the data exactly while writing every terminal control as \\u', () => {
    const text = jsonText({ values: HOSTILE_VALUES }, 2);
    // Only the indentation's own line breaks remain raw.
    expect(text.replace(/\n/g, '')).not.toMatch(TERMINAL_CONTROL);
    expect(JSON.parse(text)).toEqual({ values: HOSTILE_VALUES });
  });
});
