import { childNodes, isNode, type AstNode } from './template-ast.js';
import { parseTemplate } from './template-sandbox.js';

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

/** Every variable `text` reads, excluding names it binds itself (loop variables, set, macro args). */
export function collectReferences(text: string): TemplateReference[] {
  return analyseTemplate(text).refs;
}

/** What a template reads, from one parse (which also applies the sandbox's rules). */
export interface TemplateAnalysis {
  refs: TemplateReference[];
  /** Names the template only ever tests with `is defined` / `is undefined` / `is none`. */
  definednessOnly: Set<string>;
}

export function analyseTemplate(text: string): TemplateAnalysis {
  const ast = parseTemplate(text);
  const refs: TemplateReference[] = [];
  new ReferenceWalker(refs).walk(ast, new Set(), { all: false, names: new Set() });
  return { refs, definednessOnly: definednessOnlyNames(ast) };
}

const DEFINEDNESS_TESTS = new Set(['defined', 'undefined', 'none']);

/**
 * Names whose every occurrence is the subject of a definedness test: their value cannot flow into
 * the output, so a secret read only that way does not make the result secret.
 */
function definednessOnlyNames(ast: AstNode): Set<string> {
  const total = new Map<string, number>();
  const tested = new Map<string, number>();
  const bump = (m: Map<string, number>, name: string) => m.set(name, (m.get(name) ?? 0) + 1);
  const visit = (node: AstNode): void => {
    if (node.typename === 'Symbol') bump(total, String(node.value));
    if (node.typename === 'Is' && isNode(node.left) && node.left.typename === 'Symbol') {
      const test = node.right as AstNode;
      if (test.typename === 'Symbol' && DEFINEDNESS_TESTS.has(String(test.value)))
        bump(tested, String(node.left.value));
    }
    for (const child of childNodes(node)) visit(child);
  };
  visit(ast);
  return new Set([...tested].filter(([name, n]) => total.get(name) === n).map(([name]) => name));
}

interface Guard {
  all: boolean;
  names: ReadonlySet<string>;
}

const DEFAULT_FILTERS = new Set(['default', 'd']);
const DEFINED_TESTS = new Set(['defined', 'undefined']);

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
      case 'Block':
        // A block's name is a label, not a variable.
        return this.walk(node.body, bound, guard);
      case 'Include':
      case 'Extends':
        return this.walk(node.template, bound, guard);
      case 'Import':
        // `{% import "m.j2" as m %}` binds m.
        this.walk(node.template, bound, guard);
        if (isNode(node.target)) bound.add(String(node.target.value));
        return;
      case 'FromImport':
        // `{% from "m.j2" import a, b as c %}` binds a and c.
        this.walk(node.template, bound, guard);
        for (const n of isNode(node.names) ? (node.names.children ?? []) : []) {
          const alias = n.typename === 'Pair' ? n.value : n;
          if (isNode(alias)) bound.add(String(alias.value));
        }
        return;
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
      // A text or number key; `xs[true]` is xs[1], read at run time.
      const key = isNode(val) && val.typename === 'Literal' ? val.value : undefined;
      if ((typeof key === 'string' || typeof key === 'number') && literal) path.push(String(key));
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
  // Parentheses: `(x is defined) and (x > 1)`, as a when: list is checked (undefined-variables.ts).
  if (cond.typename === 'Group' && Array.isArray(cond.children) && cond.children.length === 1)
    return definedNames(cond.children[0]);
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
  if (cond.typename === 'Or') {
    return {
      whenTrue: [],
      whenFalse: [...definedNames(cond.left).whenFalse, ...definedNames(cond.right).whenFalse],
    };
  }
  return { whenTrue: [], whenFalse: [] };
}
