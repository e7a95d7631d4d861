/** A minimal nginx configuration parser for assertions: comments, quotes, blocks, directives. */
export interface ParsedDirective {
  name: string;
  args: string[];
  children?: ParsedDirective[];
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '{' || c === '}' || c === ';') {
      tokens.push(c);
      i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw new Error('unterminated quote');
      tokens.push(text.slice(i, j + 1));
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s{};#]/.test(text[j]!)) j++;
      tokens.push(text.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

/** Throws on unbalanced braces or a directive without its `;`. */
export function parseConf(text: string): ParsedDirective[] {
  const tokens = tokenize(text);
  let pos = 0;
  const parseList = (nested: boolean): ParsedDirective[] => {
    const list: ParsedDirective[] = [];
    while (pos < tokens.length) {
      if (tokens[pos] === '}') {
        if (!nested) throw new Error('unexpected "}"');
        pos++;
        return list;
      }
      const words: string[] = [];
      while (pos < tokens.length && !['{', '}', ';'].includes(tokens[pos]!)) words.push(tokens[pos++]!);
      const end = tokens[pos++];
      const [name, ...args] = words;
      if (!name) throw new Error(`empty statement before "${end}"`);
      if (end === ';') list.push({ name, args });
      else if (end === '{') list.push({ name, args, children: parseList(true) });
      else throw new Error(`"${name}" is not terminated`);
    }
    if (nested) throw new Error('unexpected end of file: missing "}"');
    return list;
  };
  return parseList(false);
}

export function all(nodes: ParsedDirective[], name: string): ParsedDirective[] {
  return nodes.filter((n) => n.name === name);
}

export function one(nodes: ParsedDirective[] | undefined, name: string): ParsedDirective | undefined {
  return nodes?.find((n) => n.name === name);
}

/** `server` blocks with their server_name and listen ports. */
export function servers(
  conf: ParsedDirective[],
): { names: string[]; ports: string[]; body: ParsedDirective[] }[] {
  return all(conf, 'server').map((s) => ({
    names: one(s.children, 'server_name')?.args ?? [],
    ports: all(s.children ?? [], 'listen').map((l) => l.args[0] ?? ''),
    body: s.children ?? [],
  }));
}

/** Every directive anywhere in the tree. */
export function walk(nodes: ParsedDirective[]): ParsedDirective[] {
  return nodes.flatMap((n) => [n, ...walk(n.children ?? [])]);
}
