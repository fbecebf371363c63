/**
 * Splits one CSV line into fields (RFC 4180 quoting: fields may be quoted,
 * a doubled quote inside stands for one). Import reads files line by line so
 * every problem can name its line number; a quoted field spanning lines is
 * therefore not supported and reported as a malformed row, which the formats
 * here (numbers and timestamps) never need.
 */

export type SplitResult = { ok: true; fields: string[] } | { ok: false; detail: string };

export function splitCsvLine(line: string): SplitResult {
  const fields: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    if (line.charCodeAt(i) === 34 /* " */) {
      let value = "";
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) return { ok: false, detail: `unterminated quoted field starting at character ${i + 1}` };
        value += line.slice(j, q);
        if (line.charCodeAt(q + 1) === 34) {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === n) return { ok: true, fields };
      if (line.charCodeAt(i) !== 44 /* , */) return { ok: false, detail: `unexpected text after the quoted field ending at character ${i}` };
      i++;
    } else {
      const comma = line.indexOf(",", i);
      if (comma < 0) {
        fields.push(line.slice(i));
        return { ok: true, fields };
      }
      fields.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
}

/** The file's lines without line terminators (\n or \r\n) and without a byte-order mark. */
export function fileLines(text: string): string[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}
