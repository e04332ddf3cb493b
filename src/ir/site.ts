// Where the user created a node: the first stack frame outside gradc itself. No Node imports:
// the core runs in browsers too (there, V8's stack API may be missing and sites are unknown).

export interface Site {
  readonly file: string;
  readonly line: number;
}

/** A file: URL as a path (other URLs, e.g. a bundle served over http, stay as they are). */
function urlPath(url: string): string {
  return url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
}

const GRADC_ROOT = urlPath(new URL('../../', import.meta.url).href);
const INTERNAL = [
  `${GRADC_ROOT}src/`,
  `${GRADC_ROOT}codegen/`,
  `${GRADC_ROOT}bin/`,
  'node:',
  'node_modules',
];

export const UNKNOWN_SITE: Site = Object.freeze({ file: '<unknown>', line: 0 });

/** Set by withSite: the site of every node built meanwhile. */
let pinned: Site | null = null;

/**
 * Run `fn` with every node it builds given `site` (no stack capture per node): for transforms like
 * grad, which build many nodes for one user call.
 */
export function withSite<T>(site: Site, fn: () => T): T {
  const saved = pinned;
  pinned = site;
  try {
    return fn();
  } finally {
    pinned = saved;
  }
}

/** Capture the user's file:line from the current stack (cheap enough to run per node). */
export function captureSite(): Site {
  if (pinned) return pinned;
  // Raw call sites are cheap; source-mapping a formatted stack is not (~100 µs). So find the
  // first user frame raw, and format the stack only the first time that position is seen.
  const raw = firstUserFrame(16) ?? firstUserFrame(64);
  const cached = raw === null ? undefined : siteCache.get(raw);
  if (cached) return cached;
  const site = siteFromFormattedStack();
  if (raw !== null) siteCache.set(raw, site);
  return site;
}

/** Source-mapped sites by raw (unmapped) position of the user's call. */
const siteCache = new Map<string, Site>();

const ROOT_URL = new URL('../../', import.meta.url).href;
const INTERNAL_RAW = [...INTERNAL, `${ROOT_URL}src/`, `${ROOT_URL}codegen/`, `${ROOT_URL}bin/`];

const isInternal = (file: string) => INTERNAL.some((p) => file.startsWith(p) || file.includes(p));

/** The part of V8's CallSite used here (declared locally: the core needs no Node types). */
interface CallSite {
  getFileName(): string | null | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
}

/** The raw position of the first frame outside gradc among the innermost `depth` frames. */
function firstUserFrame(depth: number): string | null {
  const [prepare, limit] = [Error.prepareStackTrace, Error.stackTraceLimit];
  const holder: { stack?: unknown } = {};
  let frames: unknown;
  try {
    Error.prepareStackTrace = (_e, cs) => cs;
    Error.stackTraceLimit = depth;
    if (typeof Error.captureStackTrace !== 'function') return null; // not V8
    Error.captureStackTrace(holder, captureSite);
    frames = holder.stack; // formatted lazily: read it while our prepareStackTrace is installed
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
  if (!Array.isArray(frames)) return null;
  for (const f of frames as CallSite[]) {
    const name = f.getFileName();
    if (!name || INTERNAL_RAW.some((p) => name.startsWith(p) || name.includes(p))) continue;
    return `${name}:${f.getLineNumber()}:${f.getColumnNumber()}`;
  }
  return null;
}

function siteFromFormattedStack(): Site {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 64;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  for (const raw of stack.split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?[^()\s]+):(\d+):\d+\)?$/.exec(raw.trim());
    if (!m) continue;
    const file = urlPath(m[1]!);
    if (isInternal(file)) continue;
    return { file: relativeFile(file), line: Number(m[2]) };
  }
  return UNKNOWN_SITE;
}

function relativeFile(file: string): string {
  if (typeof process === 'undefined' || typeof process.cwd !== 'function') return file;
  const cwd = process.cwd() + '/';
  return file.startsWith(cwd) ? file.slice(cwd.length) : file;
}

export function fmtSite(site: Site): string {
  return `${site.file}:${site.line}`;
}
