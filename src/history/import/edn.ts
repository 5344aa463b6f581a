// A small EDN reader (the subset Jepsen and Knossos histories use), with line numbers for errors.

export class Keyword {
  constructor(readonly name: string) {}
}
export class EdnSymbol {
  constructor(readonly name: string) {}
}
/** Maps keep their entries in order; keys are compared by value only where we look them up (keywords). */
export class EdnMap {
  constructor(readonly entries: [Edn, Edn][]) {}
  get(keyword: string): Edn | undefined {
    for (const [k, v] of this.entries) if (k instanceof Keyword && k.name === keyword) return v;
    return undefined;
  }
}
export class EdnSet {
  constructor(readonly items: Edn[]) {}
}
/** `#tag value`, e.g. `#jepsen.history.Op{...}` in newer Jepsen histories. */
export class Tagged {
  constructor(
    readonly tag: string,
    readonly value: Edn,
  ) {}
}
/** Lists and vectors are both arrays; characters are one-character strings. */
export type Edn = null | boolean | number | string | Keyword | EdnSymbol | Edn[] | EdnMap | EdnSet | Tagged;

export class EdnError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const DELIMS = new Set(['(', ')', '[', ']', '{', '}', '"', ';', ',']);
const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const CHAR_NAMES: Record<string, string> = { newline: '\n', space: ' ', tab: '\t', return: '\r', backspace: '\b', formfeed: '\f' };

/**
 * Reads every top-level form, calling `fn` with it and the line it starts on. A history is often one
 * big vector, or (Knossos's test data) one list; with `splitSeq`, the elements of a top-level vector or
 * list are passed one by one instead (with `inSeq` set), so each gets its own line number.
 */
export function readEdn(text: string, fn: (form: Edn, line: number, inSeq: boolean) => void, splitSeq = false): void {
  const r = new Reader(text);
  for (;;) {
    r.skip();
    if (r.pos >= text.length) return;
    const line = r.line;
    const c = text[r.pos];
    if (splitSeq && (c === '[' || c === '(')) r.elements((form, l) => fn(form, l, true));
    else fn(r.form(), line, false);
  }
}

class Reader {
  pos = 0;
  line = 1;
  constructor(private readonly text: string) {}

  /** Skips whitespace, commas, `;` comments and `#_` discarded forms. */
  skip(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === '\n') {
        this.line++;
        this.pos++;
      } else if (c === ' ' || c === '\t' || c === '\r' || c === ',') this.pos++;
      else if (c === ';') {
        while (this.pos < t.length && t[this.pos] !== '\n') this.pos++;
      } else if (c === '#' && t[this.pos + 1] === '_') {
        this.pos += 2;
        this.skip();
        this.form();
      } else return;
    }
  }

  /** Reads a vector or list, handing each element over as soon as it is read. */
  elements(fn: (form: Edn, line: number) => void): void {
    const startLine = this.line;
    const open = this.text[this.pos];
    const close = CLOSER[open];
    this.pos++;
    for (;;) {
      this.skip();
      if (this.pos >= this.text.length) throw new EdnError(startLine, `"${open}" opened here is never closed`);
      const c = this.text[this.pos];
      if (c === close) {
        this.pos++;
        return;
      }
      if (c === ')' || c === ']' || c === '}') throw new EdnError(this.line, `expected "${close}" but found "${c}"`);
      const line = this.line;
      fn(this.form(), line);
    }
  }

  form(): Edn {
    this.skip();
    const t = this.text;
    if (this.pos >= t.length) throw new EdnError(this.line, 'unexpected end of input');
    const c = t[this.pos];
    if (c === '(' || c === '[') return this.seq(c);
    if (c === '{') {
      const items = this.seq('{');
      if (items.length % 2 !== 0) throw new EdnError(this.line, 'map literal has an odd number of forms');
      const entries: [Edn, Edn][] = [];
      for (let i = 0; i < items.length; i += 2) entries.push([items[i], items[i + 1]]);
      return new EdnMap(entries);
    }
    if (c === ')' || c === ']' || c === '}') throw new EdnError(this.line, `unmatched "${c}"`);
    if (c === '"') return this.string();
    if (c === '\\') return this.char();
    if (c === '#') {
      if (t[this.pos + 1] === '{') {
        this.pos++;
        return new EdnSet(this.seq('{'));
      }
      this.pos++;
      const tag = this.token();
      if (tag === '') throw new EdnError(this.line, 'bad "#" dispatch');
      return new Tagged(tag, this.form());
    }
    const tok = this.token();
    return atom(tok, this.line);
  }

  private seq(open: string): Edn[] {
    const startLine = this.line;
    const close = CLOSER[open];
    this.pos++;
    const items: Edn[] = [];
    for (;;) {
      this.skip();
      if (this.pos >= this.text.length) throw new EdnError(startLine, `"${open}" opened here is never closed`);
      const c = this.text[this.pos];
      if (c === close) {
        this.pos++;
        return items;
      }
      if (c === ')' || c === ']' || c === '}') throw new EdnError(this.line, `expected "${close}" but found "${c}"`);
      items.push(this.form());
    }
  }

  private string(): string {
    const startLine = this.line;
    const t = this.text;
    let out = '';
    let i = this.pos + 1;
    for (;;) {
      const j = i;
      while (i < t.length && t[i] !== '"' && t[i] !== '\\') {
        if (t[i] === '\n') this.line++;
        i++;
      }
      out += t.slice(j, i);
      if (i >= t.length) throw new EdnError(startLine, 'unterminated string');
      if (t[i] === '"') {
        this.pos = i + 1;
        return out;
      }
      const e = t[i + 1];
      if (e === 'u') {
        const hex = t.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new EdnError(this.line, `bad unicode escape "\\u${hex}"`);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
        continue;
      }
      const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', '\\': '\\' };
      if (e === undefined || !(e in map)) throw new EdnError(this.line, `bad string escape "\\${e ?? ''}"`);
      out += map[e];
      i += 2;
    }
  }

  private char(): string {
    this.pos++;
    const tok = this.token();
    if (tok.length === 0) {
      // `\(` and friends: the character is a delimiter.
      const c = this.text[this.pos];
      if (c === undefined) throw new EdnError(this.line, 'unexpected end of input after "\\"');
      this.pos++;
      return c;
    }
    if (tok.length === 1) return tok;
    if (tok in CHAR_NAMES) return CHAR_NAMES[tok];
    if (/^u[0-9a-fA-F]{4}$/.test(tok)) return String.fromCharCode(parseInt(tok.slice(1), 16));
    throw new EdnError(this.line, `unknown character literal "\\${tok}"`);
  }

  private token(): string {
    const t = this.text;
    const start = this.pos;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === ' ' || c === '\n' || c === '\t' || c === '\r' || DELIMS.has(c)) break;
      this.pos++;
    }
    return t.slice(start, this.pos);
  }
}

function atom(tok: string, line: number): Edn {
  if (tok === 'nil') return null;
  if (tok === 'true') return true;
  if (tok === 'false') return false;
  if (tok.startsWith(':')) {
    if (tok.length === 1) throw new EdnError(line, 'empty keyword ":"');
    return new Keyword(tok.slice(1));
  }
  if (/^[+-]?\d/.test(tok)) {
    let m = /^([+-]?\d+)N?$/.exec(tok);
    if (m) return Number(m[1]);
    m = /^([+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)M?$/.exec(tok);
    if (m) return Number(m[1]);
    m = /^([+-]?\d+)\/(\d+)$/.exec(tok);
    if (m) return Number(m[1]) / Number(m[2]);
    throw new EdnError(line, `bad number "${tok}"`);
  }
  return new EdnSymbol(tok);
}
