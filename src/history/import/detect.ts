// Tells a history's format from its first line: our JSONL, Porcupine's logs, or Jepsen EDN.
/** One line of Porcupine's Jepsen etcd logs (MANIFEST Format A); tokens split on any whitespace. */
export const ETCD_LINE = /^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(read|write|cas)\s+(.*?)\s*$/;
/** One line of Porcupine's kv logs (Format B), in the exact shape those files have. */
export const KV_LINE = /^\{:process (\d+), :type :(invoke|ok|fail|info), :f :(get|put|append), :key "([^"]*)", :value (nil|"([^"]*)")\}$/;

export const FORMATS = ['jsonl', 'edn', 'porcupine-etcd', 'porcupine-kv'] as const;
export type Format = (typeof FORMATS)[number];

/** `head` is the start of the file (a few KB). 'empty' for a file with nothing but whitespace. */
export function detectFormat(head: string): Format | 'empty' | undefined {
  const text = head.replace(/^\s+/, '');
  if (text === '') return 'empty';
  const nl = text.indexOf('\n');
  const first = (nl < 0 ? text : text.slice(0, nl)).replace(/\r$/, '');
  if (ETCD_LINE.test(first)) return 'porcupine-etcd';
  if (KV_LINE.test(first)) return 'porcupine-kv';
  if (/^\{\s*("|\})/.test(first)) return 'jsonl';
  if (/^[[{(#;]/.test(first)) return 'edn';
  return undefined;
}
