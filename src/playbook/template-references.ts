import nunjucks from 'nunjucks';

/** A variable a template reads, with the attribute path when it is literal (`a.b`, `a['b']`). */
export interface TemplateReference {
  /** Top-level variable name. */
  name: string;
  /** `[name, ...attributes]`, cut at the first computed subscript or method call. */
  path: string[];
  /** Read under `| default(...)`, `is defined`, or inside `{% if x is defined %}`: may be undefined. */
  guarded: boolean;
  /** 1-based position inside the template text. */
  line: number;
  column: number;
}

/** Names nunjucks (and our environment) provide without any variable being set. */
export const TEMPLATE_GLOBALS: ReadonlySet<string> = new Set([
  'range',
  'cycler',
  'joiner',
  'True',
  'False',
  'None',
]);

/** A template that does not parse: position is 1-based inside the template text. */
export class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'TemplateSyntaxError';
  }
}

/** nunjucks' AST nodes are untyped; these are the fields the walker reads. */
interface AstNode {
  typename: string;
  lineno: number;
  colno: number;
  fields: string[];
  children?: AstNode[];
  value?: unknown;
  [field: string]: unknown;
}

type NunjucksInternals = { parser: { parse(src: string): AstNode } };

export function parseTemplate(text: string): AstNode {
  try {
    return (nunjucks as unknown as NunjucksInternals).parser.parse(text);
  } catch (err) {
    const e = err as { message?: string; lineno?: number; colno?: number };
    // nunjucks' parser crashes with a TypeError when the text ends inside an unclosed tag.
    const message =
      err instanceof TypeError
        ? "unexpected end of template: a '{{', '{%', '(' or '[' is not closed"
        : String(e.message ?? err).replace(/^\(unknown path\)\s*(\[[^\]]*\])?\s*/, '');
    if (e.lineno === undefined || err instanceof TypeError) {
      // No position means the parser ran out of text: point at the end.
      const lines = text.split('\n');
      throw new TemplateSyntaxError(message.trim(), lines.length, lines[lines.length - 1]!.length + 1);
    }
    throw new TemplateSyntaxError(message.trim(), Math.max(1, e.lineno), Math.max(1, e.colno ?? 1));
  }
}

/** Every variable `text` reads, excluding names it binds itself (loop variables, set, macro args). */
export function collectReferences(text: string): TemplateReference[] {
  const refs: TemplateReference[] = [];
  new ReferenceWalker(refs).walk(parseTemplate(text), new Set(), { all: false, names: new Set() });
  return refs;
}

interface Guard {
  all: boolean;
  names: ReadonlySet<string>;
}

const DEFAULT_FILTERS = new Set(['default', 'd']);
const DEFINED_TESTS = new Set(['defined', 'undefined']);

function isNode(v: unknown): v is AstNode {
  return typeof v === 'object' && v !== null && typeof (v as AstNode).typename === 'string';
}

class ReferenceWalker {
  constructor(private readonly refs: TemplateReference[]) {}

  walk(node: unknown, bound: Set<string>, guard: Guard): void {
    if (!isNode(node)) return;
    switch (node.typename) {
      case 'Symbol':
      case 'LookupVal':
        return this.reference(node, bound, guard);
      case 'Filter':
        return this.filter(node, bound, guard);
      case 'Is':
        return this.isTest(node, bound, guard);
      case 'FunCall':
        return this.call(node, bound, guard);
      case 'For':
      case 'AsyncEach':
      case 'AsyncAll':
        return this.forLoop(node, bound, guard);
      case 'Set':
        this.walk(node.value, bound, guard);
        this.walk(node.body, bound, guard);
        for (const t of node.targets as AstNode[]) if (t.typename === 'Symbol') bound.add(String(t.value));
        return;
      case 'Macro':
        return this.macro(node, bound, guard);
      case 'If':
      case 'IfAsync':
      case 'InlineIf':
        return this.conditional(node, bound, guard);
      case 'And':
      case 'Or': {
        // Short-circuit: `x is defined and x.y` only reads x.y when x is defined.
        this.walk(node.left, bound, guard);
        const proven = definedNames(node.left);
        const names = node.typename === 'And' ? proven.whenTrue : proven.whenFalse;
        return this.walk(node.right, bound, { all: guard.all, names: new Set([...guard.names, ...names]) });
      }
      case 'Pair':
        // Dict keys written bare (`{ a: 1 }`) are strings, not variables.
        if (!(isNode(node.key) && node.key.typename === 'Symbol')) this.walk(node.key, bound, guard);
        return this.walk(node.value, bound, guard);
      case 'Include':
      case 'Import':
      case 'FromImport':
      case 'Extends':
        return this.walk(node.template, bound, guard);
      default:
        if (Array.isArray(node.children)) for (const c of node.children) this.walk(c, bound, guard);
        else for (const f of node.fields) this.walk(node[f], bound, guard);
    }
  }

  /** `x`, `x.y`, `x['y']`: records the literal path; walks computed subscripts as expressions. */
  private reference(node: AstNode, bound: Set<string>, guard: Guard, dropLast = false): void {
    const chain: AstNode[] = [];
    let cur: unknown = node;
    while (isNode(cur) && cur.typename === 'LookupVal') {
      chain.unshift(cur);
      cur = cur.target;
    }
    if (!isNode(cur) || cur.typename !== 'Symbol') {
      this.walk(cur, bound, guard);
      for (const l of chain) this.walk(l.val, bound, guard);
      return;
    }
    const name = String(cur.value);
    const path = [name];
    let literal = true;
    for (const l of chain) {
      const val = l.val;
      if (isNode(val) && val.typename === 'Literal' && literal) path.push(String(val.value));
      else {
        literal = false;
        this.walk(val, bound, guard);
      }
    }
    if (dropLast && chain.length > 0 && literal) path.pop();
    if (bound.has(name) || TEMPLATE_GLOBALS.has(name)) return;
    this.refs.push({
      name,
      path,
      guarded: guard.all || guard.names.has(name),
      line: cur.lineno + 1,
      column: cur.colno + 1,
    });
  }

  private filter(node: AstNode, bound: Set<string>, guard: Guard): void {
    const filterName = String((node.name as AstNode).value);
    const args = (node.args as AstNode).children ?? [];
    args.forEach((arg, i) => {
      const g = i === 0 && DEFAULT_FILTERS.has(filterName) ? { all: true, names: guard.names } : guard;
      this.walk(arg, bound, g);
    });
  }

  private isTest(node: AstNode, bound: Set<string>, guard: Guard): void {
    const test = node.right as AstNode;
    const testName = test.typename === 'FunCall' ? String((test.name as AstNode).value) : String(test.value);
    this.walk(node.left, bound, DEFINED_TESTS.has(testName) ? { all: true, names: guard.names } : guard);
    if (test.typename === 'FunCall') this.walk(test.args, bound, guard);
  }

  private call(node: AstNode, bound: Set<string>, guard: Guard): void {
    const callee = node.name;
    // `x.items()` reads x; `items` is a method, not an attribute to look up in the variables.
    if (isNode(callee) && (callee.typename === 'LookupVal' || callee.typename === 'Symbol'))
      this.reference(callee, bound, guard, true);
    else this.walk(callee, bound, guard);
    this.walk(node.args, bound, guard);
  }

  private forLoop(node: AstNode, bound: Set<string>, guard: Guard): void {
    this.walk(node.arr, bound, guard);
    const inner = new Set(bound);
    inner.add('loop');
    const target = node.name as AstNode;
    for (const s of target.typename === 'Symbol' ? [target] : (target.children ?? []))
      inner.add(String(s.value));
    this.walk(node.body, inner, guard);
    this.walk(node.else_, bound, guard);
  }

  private macro(node: AstNode, bound: Set<string>, guard: Guard): void {
    const name = node.name as AstNode;
    bound.add(String(name.value));
    const inner = new Set(bound);
    inner.add('caller');
    for (const a of (node.args as AstNode).children ?? []) {
      if (a.typename === 'Symbol') inner.add(String(a.value));
      else if (a.typename === 'KeywordArgs')
        for (const p of a.children ?? []) {
          inner.add(String((p.key as AstNode).value));
          this.walk(p.value, bound, guard);
        }
    }
    this.walk(node.body, inner, guard);
  }

  private conditional(node: AstNode, bound: Set<string>, guard: Guard): void {
    this.walk(node.cond, bound, guard);
    const { whenTrue, whenFalse } = definedNames(node.cond);
    this.walk(node.body, bound, { all: guard.all, names: new Set([...guard.names, ...whenTrue]) });
    this.walk(node.else_, bound, { all: guard.all, names: new Set([...guard.names, ...whenFalse]) });
  }
}

function rootName(node: unknown): string | undefined {
  let cur = node;
  while (isNode(cur) && cur.typename === 'LookupVal') cur = cur.target;
  return isNode(cur) && cur.typename === 'Symbol' ? String(cur.value) : undefined;
}

/** Names a condition proves defined in its true branch (`x is defined`, `a and b`) or false branch. */
function definedNames(cond: unknown): { whenTrue: string[]; whenFalse: string[] } {
  if (!isNode(cond)) return { whenTrue: [], whenFalse: [] };
  if (cond.typename === 'Is') {
    const test = String((cond.right as AstNode).value);
    const name = rootName(cond.left);
    if (name && test === 'defined') return { whenTrue: [name], whenFalse: [] };
    if (name && test === 'undefined') return { whenTrue: [], whenFalse: [name] };
  }
  if (cond.typename === 'Not') {
    const inner = definedNames(cond.target);
    return { whenTrue: inner.whenFalse, whenFalse: inner.whenTrue };
  }
  if (cond.typename === 'And') {
    return {
      whenTrue: [...definedNames(cond.left).whenTrue, ...definedNames(cond.right).whenTrue],
      whenFalse: [],
    };
  }
  return { whenTrue: [], whenFalse: [] };
}
