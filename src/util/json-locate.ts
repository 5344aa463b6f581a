// A tiny JSON parser that remembers where every value starts, so spec errors can say file:line:col.

export interface Pos {
  line: number;
  col: number;
}

export type JNode =
  | { kind: 'null'; pos: Pos }
  | { kind: 'boolean'; value: boolean; pos: Pos }
  | { kind: 'number'; value: number; pos: Pos }
  | { kind: 'string'; value: string; pos: Pos }
  | { kind: 'array'; items: JNode[]; pos: Pos }
  | { kind: 'object'; entries: { key: string; keyPos: Pos; value: JNode }[]; pos: Pos };

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly pos: Pos,
  ) {
    super(message);
  }
}

/** Parses strict JSON (RFC 8259). Throws JsonSyntaxError with the position of the first problem. */
export function parseLocated(text: string): JNode {
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const pos = (): Pos => ({ line, col: i - lineStart + 1 });
  const fail = (msg: string): never => {
    throw new JsonSyntaxError(msg, pos());
  };
  const ws = (): void => {
    while (i < text.length) {
      const c = text[i];
      if (c === '\n') {
        line++;
        i++;
        lineStart = i;
      } else if (c === ' ' || c === '\t' || c === '\r') i++;
      else break;
    }
  };
  const describe = (): string => (i >= text.length ? 'end of file' : `"${text[i]}"`);

  const value = (): JNode => {
    ws();
    const p = pos();
    const c = text[i];
    if (c === '{') return object(p);
    if (c === '[') return array(p);
    if (c === '"') return { kind: 'string', value: string(), pos: p };
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number(p);
    for (const [word, node] of [
      ['true', { kind: 'boolean', value: true, pos: p }],
      ['false', { kind: 'boolean', value: false, pos: p }],
      ['null', { kind: 'null', pos: p }],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return node;
      }
    }
    return fail(`unexpected ${describe()}: expected a value`);
  };

  const object = (p: Pos): JNode => {
    i++;
    const entries: { key: string; keyPos: Pos; value: JNode }[] = [];
    ws();
    if (text[i] === '}') {
      i++;
      return { kind: 'object', entries, pos: p };
    }
    for (;;) {
      ws();
      if (text[i] !== '"') fail(`unexpected ${describe()}: expected a field name in double quotes`);
      const keyPos = pos();
      const key = string();
      // JSON.parse keeps the last of two equal keys silently; in a hand-edited file that is always a mistake.
      if (entries.some((e) => e.key === key)) throw new JsonSyntaxError(`duplicate key "${key}"`, keyPos);
      ws();
      if (text[i] !== ':') fail(`unexpected ${describe()}: expected ":" after "${key}"`);
      i++;
      entries.push({ key, keyPos, value: value() });
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return { kind: 'object', entries, pos: p };
      }
      fail(`unexpected ${describe()}: expected "," or "}"`);
    }
  };

  const array = (p: Pos): JNode => {
    i++;
    const items: JNode[] = [];
    ws();
    if (text[i] === ']') {
      i++;
      return { kind: 'array', items, pos: p };
    }
    for (;;) {
      items.push(value());
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return { kind: 'array', items, pos: p };
      }
      fail(`unexpected ${describe()}: expected "," or "]"`);
    }
  };

  const string = (): string => {
    const start = i;
    i++;
    for (;;) {
      const c = text[i];
      if (c === undefined || c === '\n') fail('unterminated string');
      if (c === '"') break;
      if (c === '\\') i++;
      i++;
    }
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      i = start;
      return fail('invalid escape in string');
    }
  };

  const number = (p: Pos): JNode => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) return fail(`invalid number`);
    i += m[0].length;
    return { kind: 'number', value: Number(m[0]), pos: p };
  };

  const root = value();
  ws();
  if (i < text.length) fail(`unexpected ${describe()} after the end of the document`);
  return root;
}

/** The plain value of a located node. */
export function plain(n: JNode): unknown {
  switch (n.kind) {
    case 'null':
      return null;
    case 'boolean':
    case 'number':
    case 'string':
      return n.value;
    case 'array':
      return n.items.map(plain);
    case 'object':
      return Object.fromEntries(n.entries.map((e) => [e.key, plain(e.value)]));
  }
}
