import type { XmlElement } from '../xml/index.js';

/**
 * A small XPath 1.0 evaluator for `--xpath` of the dumpxml commands: location paths on every axis virsh
 * users reach for (child, descendant, parent, self, attribute, `//`, `.`, `..`), node tests (`*`, names,
 * `text()`, `node()`), predicates, unions, comparisons, `and`/`or` and the core functions. The document is
 * seen as libvirt reads it with blank text dropped, and the context node is the root element.
 */
export type XNode =
  | { kind: 'root'; children: XNode[] }
  | { kind: 'element'; name: string; parent: XNode; children: XNode[]; attrs: XNode[]; source: XmlElement }
  | { kind: 'attribute'; name: string; value: string; parent: XNode }
  | { kind: 'text'; value: string; parent: XNode };

type Value = XNode[] | string | number | boolean;

export class XPathSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

/**
 * Builds the node tree of a parsed document (whitespace-only text is dropped, as with XML_PARSE_NOBLANKS)
 * and returns its root element, the context node for `evaluate`.
 */
export function documentOf(root: XmlElement): XNode {
  const doc: XNode = { kind: 'root', children: [] };
  const build = (el: XmlElement, parent: XNode): XNode => {
    const node: XNode = { kind: 'element', name: el.name, parent, children: [], attrs: [], source: el };
    for (const [name, value] of el.attrs) node.attrs.push({ kind: 'attribute', name, value, parent: node });
    if (el.children.length === 0) {
      const text = el.text();
      if (text.trim() !== '') node.children.push({ kind: 'text', value: text, parent: node });
    } else {
      for (const child of el.children) node.children.push(build(child, node));
    }
    return node;
  };
  const top = build(root, doc);
  doc.children.push(top);
  return top;
}

/** Evaluates `expr` with `context` as context node; a non-node-set result is returned as is. */
export function evaluate(expr: string, context: XNode): Value {
  const parser = new Parser(expr);
  const ast = parser.parse();
  return ast({ node: context, position: 1, size: 1 });
}

// ---- parsing to closures ----

interface Context {
  node: XNode;
  position: number;
  size: number;
}

type Eval = (ctx: Context) => Value;

type Tok = { t: 'name' | 'num' | 'str' | 'op' | 'end'; v: string; pos: number };

const AXES = ['ancestor', 'ancestor-or-self', 'attribute', 'child', 'descendant', 'descendant-or-self', 'following-sibling', 'parent', 'preceding-sibling', 'self'];

function tokenize(expr: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = expr.slice(i, i + 2);
    if (['//', '..', '::', '!=', '<=', '>='].includes(two)) {
      out.push({ t: 'op', v: two, pos: i });
      i += 2;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(expr[i + 1] ?? ''))) {
      const m = /^[0-9]*\.?[0-9]*/.exec(expr.slice(i))![0];
      out.push({ t: 'num', v: m, pos: i });
      i += m.length;
      continue;
    }
    if ('/()[]@,|=<>*.+-'.includes(c)) {
      out.push({ t: 'op', v: c, pos: i });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = expr.indexOf(c, i + 1);
      if (end < 0) throw new XPathSyntaxError('Unfinished literal', i);
      out.push({ t: 'str', v: expr.slice(i + 1, end), pos: i });
      i = end + 1;
      continue;
    }
    const m = /^[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?/.exec(expr.slice(i));
    if (!m) throw new XPathSyntaxError('Invalid expression', i);
    out.push({ t: 'name', v: m[0], pos: i });
    i += m[0].length;
  }
  out.push({ t: 'end', v: '', pos: expr.length });
  return out;
}

class Parser {
  private readonly toks: Tok[];
  private i = 0;

  constructor(expr: string) {
    this.toks = tokenize(expr);
  }

  parse(): Eval {
    const e = this.or();
    if (this.peek().t !== 'end') this.fail();
    return e;
  }

  private peek(offset = 0): Tok {
    return this.toks[Math.min(this.i + offset, this.toks.length - 1)]!;
  }

  private isOp(v: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.v === v;
  }

  private take(v: string): void {
    if (!this.isOp(v)) this.fail();
    this.i++;
  }

  private fail(): never {
    throw new XPathSyntaxError('Invalid expression', this.peek().pos);
  }

  private or(): Eval {
    let left = this.and();
    while (this.peek().t === 'name' && this.peek().v === 'or') {
      this.i++;
      const l = left;
      const r = this.and();
      left = (ctx) => toBoolean(l(ctx)) || toBoolean(r(ctx));
    }
    return left;
  }

  private and(): Eval {
    let left = this.equality();
    while (this.peek().t === 'name' && this.peek().v === 'and') {
      this.i++;
      const l = left;
      const r = this.equality();
      left = (ctx) => toBoolean(l(ctx)) && toBoolean(r(ctx));
    }
    return left;
  }

  private equality(): Eval {
    let left = this.relational();
    while (this.isOp('=') || this.isOp('!=')) {
      const op = this.peek().v;
      this.i++;
      const l = left;
      const r = this.relational();
      left = (ctx) => compare(op, l(ctx), r(ctx));
    }
    return left;
  }

  private relational(): Eval {
    let left = this.unary();
    while (this.isOp('<') || this.isOp('>') || this.isOp('<=') || this.isOp('>=')) {
      const op = this.peek().v;
      this.i++;
      const l = left;
      const r = this.unary();
      left = (ctx) => compare(op, l(ctx), r(ctx));
    }
    return left;
  }

  private unary(): Eval {
    if (this.isOp('-')) {
      this.i++;
      const e = this.unary();
      return (ctx) => -toNumber(e(ctx));
    }
    return this.union();
  }

  private union(): Eval {
    let left = this.path();
    while (this.isOp('|')) {
      this.i++;
      const l = left;
      const r = this.path();
      left = (ctx) => {
        const a = l(ctx);
        const b = r(ctx);
        if (!Array.isArray(a) || !Array.isArray(b)) throw new XPathTypeError();
        return inDocumentOrder([...new Set([...a, ...b])]);
      };
    }
    return left;
  }

  private path(): Eval {
    const t = this.peek();
    if (t.t === 'op' && (t.v === '/' || t.v === '//')) {
      this.i++;
      const next = this.peek();
      const startsStep = next.t === 'name' || (next.t === 'op' && ['*', '@', '.', '..'].includes(next.v));
      if (t.v === '/' && !startsStep) return (ctx) => [rootOf(ctx.node)];
      const rest = this.relativePath(t.v === '//');
      return (ctx) => rest([rootOf(ctx.node)]);
    }
    if (this.startsFilter()) {
      const filter = this.filter();
      if (this.isOp('/') || this.isOp('//')) {
        const deep = this.peek().v === '//';
        this.i++;
        const rest = this.relativePath(deep);
        return (ctx) => {
          const base = filter(ctx);
          if (!Array.isArray(base)) throw new XPathTypeError();
          return rest(base);
        };
      }
      return filter;
    }
    const rel = this.relativePath(false);
    return (ctx) => rel([ctx.node]);
  }

  /** A primary expression (literal, number, parenthesis, function call) starts here, not a step. */
  private startsFilter(): boolean {
    const t = this.peek();
    if (t.t === 'str' || t.t === 'num' || (t.t === 'op' && t.v === '(')) return true;
    if (t.t !== 'name') return false;
    const next = this.peek(1);
    return next.t === 'op' && next.v === '(' && !['node', 'text', 'comment', 'processing-instruction'].includes(t.v);
  }

  private filter(): Eval {
    let primary = this.primary();
    while (this.isOp('[')) {
      const pred = this.predicate();
      const base = primary;
      primary = (ctx) => {
        const v = base(ctx);
        if (!Array.isArray(v)) throw new XPathTypeError();
        return applyPredicate(v, pred);
      };
    }
    return primary;
  }

  private primary(): Eval {
    const t = this.peek();
    if (t.t === 'str') {
      this.i++;
      return () => t.v;
    }
    if (t.t === 'num') {
      this.i++;
      const n = Number(t.v);
      return () => n;
    }
    if (t.t === 'op' && t.v === '(') {
      this.i++;
      const e = this.or();
      this.take(')');
      return e;
    }
    return this.call();
  }

  private call(): Eval {
    const name = this.peek();
    this.i++;
    this.take('(');
    const args: Eval[] = [];
    if (!this.isOp(')')) {
      args.push(this.or());
      while (this.isOp(',')) {
        this.i++;
        args.push(this.or());
      }
    }
    this.take(')');
    const fn = FUNCTIONS[name.v];
    if (!fn) throw new XPathUnknownFunction(name.v);
    return (ctx) => fn(ctx, args.map((a) => a(ctx)));
  }

  private relativePath(leadingDescendant: boolean): (nodes: XNode[]) => XNode[] {
    const steps: ((nodes: XNode[]) => XNode[])[] = [];
    if (leadingDescendant) steps.push(descendantOrSelf);
    steps.push(this.step());
    while (this.isOp('/') || this.isOp('//')) {
      if (this.peek().v === '//') steps.push(descendantOrSelf);
      this.i++;
      steps.push(this.step());
    }
    return (nodes) => steps.reduce((set, step) => step(set), nodes);
  }

  private step(): (nodes: XNode[]) => XNode[] {
    if (this.isOp('.')) {
      this.i++;
      return (nodes) => nodes;
    }
    if (this.isOp('..')) {
      this.i++;
      return (nodes) => inDocumentOrder([...new Set(nodes.flatMap((n) => ('parent' in n ? [n.parent] : [])))]);
    }
    let axis = 'child';
    if (this.isOp('@')) {
      this.i++;
      axis = 'attribute';
    } else if (this.peek().t === 'name' && this.peek(1).t === 'op' && this.peek(1).v === '::') {
      axis = this.peek().v;
      if (!AXES.includes(axis)) this.fail();
      this.i += 2;
    }
    const test = this.nodeTest(axis);
    const preds: Eval[] = [];
    while (this.isOp('[')) preds.push(this.predicate());
    return (nodes) => {
      const out: XNode[] = [];
      for (const node of nodes) {
        let selected = walkAxis(axis, node).filter(test);
        for (const pred of preds) selected = applyPredicate(selected, pred, axis.startsWith('ancestor') || axis.startsWith('preceding'));
        out.push(...selected);
      }
      return inDocumentOrder([...new Set(out)]);
    };
  }

  private nodeTest(axis: string): (n: XNode) => boolean {
    const t = this.peek();
    const principal = axis === 'attribute' ? 'attribute' : 'element';
    if (t.t === 'op' && t.v === '*') {
      this.i++;
      return (n) => n.kind === principal;
    }
    if (t.t !== 'name') this.fail();
    this.i++;
    if (this.isOp('(') && (t.v === 'text' || t.v === 'node')) {
      this.take('(');
      this.take(')');
      return t.v === 'text' ? (n) => n.kind === 'text' : () => true;
    }
    return (n) => n.kind === principal && n.name === t.v;
  }

  private predicate(): Eval {
    this.take('[');
    const e = this.or();
    this.take(']');
    return e;
  }
}

/** A call of a function XPath 1.0 does not have. */
export class XPathUnknownFunction extends Error {
  constructor(readonly functionName: string) {
    super('Unregistered function');
  }
}

/** A node-set was needed where the expression gave something else. */
export class XPathTypeError extends Error {
  constructor() {
    super('Invalid type');
  }
}

function applyPredicate(nodes: XNode[], pred: Eval, reverse = false): XNode[] {
  const ordered = reverse ? [...nodes].reverse() : nodes;
  const kept = ordered.filter((node, i) => {
    const v = pred({ node, position: i + 1, size: ordered.length });
    return typeof v === 'number' ? v === i + 1 : toBoolean(v);
  });
  return reverse ? kept.reverse() : kept;
}

function childrenOf(n: XNode): XNode[] {
  return n.kind === 'root' || n.kind === 'element' ? n.children : [];
}

function walkAxis(axis: string, n: XNode): XNode[] {
  switch (axis) {
    case 'child':
      return childrenOf(n);
    case 'attribute':
      return n.kind === 'element' ? n.attrs : [];
    case 'self':
      return [n];
    case 'parent':
      return 'parent' in n ? [n.parent] : [];
    case 'descendant':
      return descendants(n);
    case 'descendant-or-self':
      return [n, ...descendants(n)];
    case 'ancestor':
    case 'ancestor-or-self': {
      const out: XNode[] = axis === 'ancestor-or-self' ? [n] : [];
      let p: XNode | null = parentOf(n);
      while (p) {
        out.push(p);
        p = parentOf(p);
      }
      return out.reverse();
    }
    case 'following-sibling':
    case 'preceding-sibling': {
      if (!('parent' in n) || n.kind === 'attribute') return [];
      const siblings = childrenOf(n.parent);
      const at = siblings.indexOf(n);
      return axis === 'following-sibling' ? siblings.slice(at + 1) : siblings.slice(0, at);
    }
  }
  return [];
}

function parentOf(n: XNode): XNode | null {
  return 'parent' in n ? n.parent : null;
}

function descendants(n: XNode): XNode[] {
  return childrenOf(n).flatMap((c) => [c, ...descendants(c)]);
}

function descendantOrSelf(nodes: XNode[]): XNode[] {
  return inDocumentOrder([...new Set(nodes.flatMap((n) => [n, ...descendants(n)]))]);
}

function rootOf(n: XNode): XNode {
  let p = n;
  while ('parent' in p) p = p.parent;
  return p;
}

/** Sorts nodes into document order (attributes right after their element). */
function inDocumentOrder(nodes: XNode[]): XNode[] {
  if (nodes.length < 2) return nodes;
  const order = new Map<XNode, number>();
  let i = 0;
  const visit = (n: XNode) => {
    order.set(n, i++);
    if (n.kind === 'element') for (const a of n.attrs) order.set(a, i++);
    for (const c of childrenOf(n)) visit(c);
  };
  visit(rootOf(nodes[0]!));
  return [...nodes].sort((a, b) => order.get(a)! - order.get(b)!);
}

function stringValue(n: XNode): string {
  switch (n.kind) {
    case 'attribute':
    case 'text':
      return n.value;
    default:
      return n.children.map(stringValue).join('');
  }
}

function toString(v: Value): string {
  if (Array.isArray(v)) return v.length ? stringValue(v[0]!) : '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Number.isNaN(v) ? 'NaN' : String(v);
  return String(v);
}

function toNumber(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const s = toString(v).trim();
  return /^-?(\d+(\.\d*)?|\.\d+)$/.test(s) ? Number(s) : NaN;
}

function toBoolean(v: Value): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v.length > 0;
  return v;
}

function compare(op: string, a: Value, b: Value): boolean {
  const test = (x: Value, y: Value): boolean => {
    if (op === '=' || op === '!=') {
      let eq: boolean;
      if (typeof x === 'boolean' || typeof y === 'boolean') eq = toBoolean(x) === toBoolean(y);
      else if (typeof x === 'number' || typeof y === 'number') eq = toNumber(x) === toNumber(y);
      else eq = toString(x) === toString(y);
      return op === '=' ? eq : !eq;
    }
    const l = toNumber(x);
    const r = toNumber(y);
    return op === '<' ? l < r : op === '>' ? l > r : op === '<=' ? l <= r : l >= r;
  };
  // A node-set compares true when any of its members does.
  if (Array.isArray(a)) return a.some((n) => compare(op, stringValue(n), b));
  if (Array.isArray(b)) return b.some((n) => compare(op, a, stringValue(n)));
  return test(a, b);
}

const FUNCTIONS: Record<string, (ctx: Context, args: Value[]) => Value> = {
  last: (ctx) => ctx.size,
  position: (ctx) => ctx.position,
  count: (_, [v]) => {
    if (!Array.isArray(v)) throw new XPathTypeError();
    return v.length;
  },
  name: (ctx, [v]) => {
    const n = v === undefined ? ctx.node : Array.isArray(v) ? v[0] : undefined;
    return n && (n.kind === 'element' || n.kind === 'attribute') ? n.name : '';
  },
  'local-name': (ctx, args) => {
    const name = FUNCTIONS.name!(ctx, args) as string;
    return name.slice(name.indexOf(':') + 1);
  },
  string: (ctx, [v]) => toString(v === undefined ? [ctx.node] : v),
  concat: (_, args) => args.map(toString).join(''),
  contains: (_, [a, b]) => toString(a!).includes(toString(b!)),
  'starts-with': (_, [a, b]) => toString(a!).startsWith(toString(b!)),
  'string-length': (ctx, [v]) => [...toString(v === undefined ? [ctx.node] : v)].length,
  'normalize-space': (ctx, [v]) => toString(v === undefined ? [ctx.node] : v).trim().replace(/\s+/g, ' '),
  not: (_, [v]) => !toBoolean(v!),
  true: () => true,
  false: () => false,
  boolean: (_, [v]) => toBoolean(v!),
  number: (ctx, [v]) => toNumber(v === undefined ? [ctx.node] : v),
};
