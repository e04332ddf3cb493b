// The small math language `gradc explain` writes equations in, and its two notations: Unicode
// text for terminals and LaTeX for Markdown/KaTeX. Precedence decides the parentheses.

export type Math =
  | { readonly k: 'sym'; readonly name: string }
  /** ∂L/∂name, or δ_layer when the name is a layer's pre-activation `layer.z`. */
  | { readonly k: 'grad'; readonly name: string }
  | { readonly k: 'num'; readonly v: number }
  | { readonly k: 'bin'; readonly op: BinOp; readonly a: Math; readonly b: Math }
  | { readonly k: 'scale'; readonly c: number; readonly a: Math }
  | { readonly k: 'fn'; readonly f: string; readonly args: readonly Math[] }
  | { readonly k: 'T'; readonly a: Math }
  | { readonly k: 'sum'; readonly over: string; readonly a: Math }
  | { readonly k: 'sq'; readonly a: Math }
  | { readonly k: 'norm2'; readonly a: Math }
  /** σ'(z) written through the forward value a = σ(z): a(1 − a). */
  | { readonly k: 'sigd'; readonly a: Math }
  /** √n of a whole number (attention's √d). */
  | { readonly k: 'root'; readonly n: number }
  /** An indicator: [a > b] (ReLU's derivative), [a = b] (max pooling's). */
  | { readonly k: 'ind'; readonly a: Math; readonly rel: '>' | '='; readonly b: Math };

export type BinOp = '+' | '−' | '⊙' | '·' | '/' | '^';

export const sym = (name: string): Math => ({ k: 'sym', name });
export const num = (v: number): Math => ({ k: 'num', v });
export const bin = (op: BinOp, a: Math, b: Math): Math => ({ k: 'bin', op, a, b });
export const fn = (f: string, ...args: Math[]): Math => ({ k: 'fn', f, args });

/** c·a, merging nested scales and folding numbers. */
export function scale(c: number, a: Math): Math {
  if (a.k === 'num') return num(c * a.v);
  if (a.k === 'scale') return scale(c * a.c, a.a);
  return c === 1 ? a : { k: 'scale', c, a };
}

/** Binding strength: a child that binds less tightly than its parent gets parentheses. */
function prec(m: Math): number {
  if (m.k === 'bin') return m.op === '+' || m.op === '−' ? 1 : m.op === '^' ? 3 : 2;
  if (m.k === 'grad') return 2.5; // ∂L/∂W² would read as the gradient of W²
  if (m.k === 'scale' || m.k === 'sum') return 2;
  if (m.k === 'num' && m.v < 0) return 1;
  return 3;
}

/** The notation: how each construct is spelled. */
interface Notation {
  readonly name: (s: string) => string;
  readonly grad: (s: string) => string;
  readonly num: (v: number) => string;
  readonly frac: (n: number) => string;
  readonly op: (op: BinOp) => string;
  readonly fn: (f: string, args: string) => string;
  readonly paren: (s: string) => string;
  readonly T: (s: string) => string;
  readonly sum: (over: string, s: string) => string;
  readonly sq: (s: string) => string;
  readonly norm2: (s: string) => string;
  readonly ind: (a: string, rel: string, b: string) => string;
  readonly pow: (a: string, b: string) => string;
  readonly root: (n: number) => string;
}

function fmtNum(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}

/** 1/n when c is the reciprocal of a whole number (the batch mean's 1/m), else null. */
function reciprocal(c: number): number | null {
  const n = 1 / c;
  return Math.abs(n - Math.round(n)) < 1e-9 && Math.round(n) >= 2 ? Math.round(n) : null;
}

/** δ_layer for `layer.z` (the textbook's error of a layer), else null. */
export function deltaName(name: string): string | null {
  const m = /^(.+)\.z$/.exec(name);
  return m ? m[1]! : null;
}

const GREEK: Record<string, string> = { sigmoid: 'σ', sqrt: '√' };
const TEX_FN: Record<string, string> = {
  sigmoid: '\\sigma',
  "σ'": "\\sigma'",
  exp: '\\exp',
  log: '\\log',
  tanh: '\\tanh',
  sqrt: '\\sqrt',
};

export const TEXT: Notation = {
  name: (s) => s,
  grad: (s) => {
    const d = deltaName(s);
    return d ? `δ_${d}` : `∂L/∂${s}`;
  },
  num: fmtNum,
  frac: (n) => `(1/${n})`,
  op: (op) => ` ${op} `,
  fn: (f, args) => `${GREEK[f] ?? f}(${args})`,
  paren: (s) => `(${s})`,
  T: (s) => `${s}ᵀ`,
  sum: (over, s) => `Σ_${over} ${s}`,
  sq: (s) => `${s}²`,
  norm2: (s) => `‖${s}‖²`,
  ind: (a, rel, b) => `[${a} ${rel} ${b}]`,
  pow: (a, b) => `${a}^(${b})`,
  root: (n) => `√${n}`,
};

const TEX_OP: Record<BinOp, string> = {
  '+': ' + ',
  '−': ' - ',
  '⊙': ' \\odot ',
  '·': ' \\cdot ',
  '/': ' / ',
  '^': '^',
};

/** Layer norm's names `<layer>.x̂`, `.μ`, `.σ`: their symbol in LaTeX. */
const TEX_SUFFIX: Readonly<Record<string, string>> = {
  x̂: '\\hat{x}',
  μ: '\\mu',
  σ: '\\sigma',
};

function texName(s: string): string {
  if (s === 'ŷ') return '\\hat{y}';
  if (/\s/.test(s)) return `\\text{${s}}`;
  const m = /^(.*\.)(x̂|μ|σ)$/.exec(s);
  if (m) return `\\mathrm{${m[1]!.replace(/_/g, '\\_')}}${TEX_SUFFIX[m[2]!]}`;
  return `\\mathrm{${s.replace(/_/g, '\\_')}}`;
}

export const LATEX: Notation = {
  name: texName,
  grad: (s) => {
    const d = deltaName(s);
    return d ? `\\delta_{${texName(d)}}` : `\\frac{\\partial L}{\\partial ${texName(s)}}`;
  },
  num: fmtNum,
  frac: (n) => `\\frac{1}{${n}}`,
  op: (op) => TEX_OP[op],
  fn: (f, args) => {
    if (f === 'sqrt') return `\\sqrt{${args}}`; // \\sqrt takes a group, not \\left( … \\right)
    if (TEX_FN[f]) return `${TEX_FN[f]}\\left(${args}\\right)`;
    return `\\operatorname{${f}}\\left(${args}\\right)`;
  },
  paren: (s) => `\\left(${s}\\right)`,
  T: (s) => `${s}^{\\top}`,
  sum: (over, s) => `\\sum_{\\mathrm{${over}}} ${s}`,
  sq: (s) => `${s}^{2}`,
  norm2: (s) => `\\lVert ${s} \\rVert^{2}`,
  ind: (a, rel, b) => `[${a} ${rel} ${b}]`,
  pow: (a, b) => `${a}^{${b}}`,
  root: (n) => `\\sqrt{${n}}`,
};

/** Render `m` in a notation; depth is bounded by the explainer's inlining limit. */
export function render(m: Math, n: Notation): string {
  const sub = (x: Math, min: number) => (prec(x) < min ? n.paren(render(x, n)) : render(x, n));
  switch (m.k) {
    case 'sym':
      return n.name(m.name);
    case 'grad':
      return n.grad(m.name);
    case 'num':
      return n.num(m.v);
    case 'bin': {
      const p = prec(m);
      // Left-associative: a − (b − c) and a / (b · c) need parentheses on the right; and
      // different products side by side get them too: (δ · Wᵀ) ⊙ a(1 − a).
      const mixed = (x: Math) => x.k === 'bin' && x.op !== m.op && prec(x) === p && p === 2;
      const side = (x: Math, min: number) => (mixed(x) ? n.paren(render(x, n)) : sub(x, min));
      if (m.op === '^') return n.pow(sub(m.a, 3), render(m.b, n));
      const right = m.op === '−' || m.op === '/' ? p + 1 : p;
      return `${side(m.a, p)}${n.op(m.op)}${side(m.b, right)}`;
    }
    case 'scale': {
      const r = reciprocal(m.c);
      const inner = m.a.k === 'sum' || m.a.k === 'scale' ? ` ${sub(m.a, 2)}` : sub(m.a, 3);
      if (r !== null) return `${n.frac(r)}${inner}`;
      if (m.c === -1) return `−${sub(m.a, 3)}`;
      return `${n.num(m.c)}${n.op('·')}${sub(m.a, 3)}`;
    }
    case 'fn':
      return n.fn(m.f, m.args.map((a) => render(a, n)).join(', '));
    case 'T':
      return n.T(sub(m.a, 3));
    case 'sum':
      return n.sum(m.over, sub(m.a, 2));
    case 'sq':
      return n.sq(sub(m.a, 3));
    case 'norm2':
      return n.norm2(render(m.a, n));
    case 'sigd': {
      const a = sub(m.a, 3);
      return `${a}${n.paren(`1${n.op('−')}${a}`)}`;
    }
    case 'ind':
      return n.ind(render(m.a, n), m.rel, render(m.b, n));
    case 'root':
      return n.root(m.n);
  }
}
