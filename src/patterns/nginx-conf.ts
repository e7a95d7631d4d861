/**
 * A tiny nginx configuration tree and its printer. Building blocks as data keeps braces balanced by
 * construction and the output byte-for-byte deterministic.
 */
export type ConfNode =
  | { kind: 'directive'; name: string; args: string[]; note?: string }
  | { kind: 'block'; name: string; args: string[]; children: ConfNode[] }
  | { kind: 'comment'; text: string }
  | { kind: 'blank' };

export const directive = (name: string, ...args: (string | number)[]): ConfNode => ({
  kind: 'directive',
  name,
  args: args.map(String),
});

/** A directive followed by a comment on the same line. */
export const annotated = (note: string, name: string, ...args: (string | number)[]): ConfNode => ({
  kind: 'directive',
  name,
  args: args.map(String),
  note: oneLine(note),
});

export const block = (name: string, args: (string | number)[], children: ConfNode[]): ConfNode => ({
  kind: 'block',
  name,
  args: args.map(String),
  children,
});

/** Comments are single lines: anything that could end the comment early is flattened. */
export const comment = (text: string): ConfNode => ({ kind: 'comment', text: oneLine(text) });

export const blank: ConfNode = { kind: 'blank' };

function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}

const UNSAFE = /[\s;{}"'\\$#]/;

/**
 * A value taken from the inventory (host name, address, path) as one nginx token. Characters that
 * nginx would read as syntax or as a variable are refused rather than escaped: they are never valid
 * in these values, and refusing keeps a typo from turning into a different configuration.
 */
export function literal(value: string, what: string): string {
  if (value.length === 0 || UNSAFE.test(value)) {
    throw new RangeError(
      `${what} ${JSON.stringify(value)} cannot be written into an nginx configuration (empty, or contains whitespace, quotes, ';', '{', '}', '#', '$' or '\\')`,
    );
  }
  return value;
}

const INDENT = '    ';

function print(nodes: ConfNode[], depth: number, out: string[]): void {
  const pad = INDENT.repeat(depth);
  for (const node of nodes) {
    switch (node.kind) {
      case 'blank':
        out.push('');
        break;
      case 'comment':
        out.push(`${pad}# ${node.text}`.trimEnd());
        break;
      case 'directive':
        out.push(`${pad}${[node.name, ...node.args].join(' ')};${node.note ? ` # ${node.note}` : ''}`);
        break;
      case 'block':
        out.push(`${pad}${[node.name, ...node.args].join(' ')} {`);
        print(node.children, depth + 1, out);
        out.push(`${pad}}`);
        break;
    }
  }
}

export function printConf(nodes: ConfNode[]): string {
  const out: string[] = [];
  print(nodes, 0, out);
  return `${out.join('\n')}\n`;
}
