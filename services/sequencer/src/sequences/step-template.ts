import { AssertionError, Liquid, LiquidError, UndefinedVariableError, type Template } from 'liquidjs';

/**
 * Step templates (issue 15): Liquid (liquidjs) over the prospect's variables. Configured for
 * untrusted input: no file system and no include/render/layout, only own properties, a strict
 * variable check (a variable with no value and no `default` is an error, never an empty string),
 * and limits on the template size, render time, memory and output. HTML bodies escape every
 * output (`| raw` opts out), subjects and text bodies do not.
 */

/** Largest template text parsed at once (a step's html or text is at most 1 000 000 characters). */
const PARSE_LIMIT = 1_000_000;
/** Time one render may take (a runaway loop ends here). */
const RENDER_LIMIT_MS = 200;
/** Objects and characters a render may create (bounded loops, joins and repeated appends). */
const MEMORY_LIMIT = 10_000_000;
/** The most characters one rendered field may have (the send request's html/text limit). */
export const MAX_RENDERED_CHARACTERS = 2_000_000;
/** A rendered subject's limit (RFC 5322 line). */
export const MAX_RENDERED_SUBJECT_CHARACTERS = 998;

export type TemplateField = 'subject' | 'html' | 'text';

function engine(html: boolean): Liquid {
  const liquid = new Liquid({
    strictVariables: true,
    // `default` and `if` see a missing variable as empty instead of failing: that is the fallback.
    lenientIf: true,
    strictFilters: true,
    ownPropertyOnly: true,
    // No file lookups: an empty in-memory set of templates stands in for the file system.
    templates: {},
    dynamicPartials: false,
    parseLimit: PARSE_LIMIT,
    renderLimit: RENDER_LIMIT_MS,
    memoryLimit: MEMORY_LIMIT,
    outputEscape: html ? 'escape' : undefined,
    timezoneOffset: 0,
  });
  for (const tag of ['include', 'render', 'layout', 'block']) delete liquid.tags[tag];
  return liquid;
}

const engines = { html: engine(true), plain: engine(false) };
const engineFor = (field: TemplateField): Liquid => (field === 'html' ? engines.html : engines.plain);

/** A template that does not parse: where (1-based line), and why in the engine's words without its excerpt. */
export interface TemplateSyntaxProblem {
  field: TemplateField;
  line: number | null;
  message: string;
}

function lineOf(err: unknown): number | null {
  const token = (err as { token?: { getPosition?: () => number[] } }).token;
  const position = token?.getPosition?.();
  return position && typeof position[0] === 'number' ? position[0] : null;
}

/** The engine's message is "<why>, line:N, col:M" followed by a source excerpt: keep the why. */
function reasonOf(err: unknown): string {
  const message = err instanceof LiquidError ? ((err as { originalError?: Error }).originalError?.message ?? err.message) : err instanceof AssertionError ? err.message : String(err);
  return message.split('\n')[0]!.replace(/, line:\d+, col:\d+$/, '').slice(0, 300);
}

/**
 * What the engine throws about a template: its errors, and the AssertionError its limits throw
 * unwrapped (a template over the parse limit: "parse length limit exceeded"), which is the
 * template's fault too and must be the caller's 400 (or the step's pause), never a 500.
 */
function isTemplateError(err: unknown): err is Error {
  return err instanceof LiquidError || err instanceof AssertionError;
}

/** Null when the template parses; otherwise the first problem. */
export function checkTemplate(field: TemplateField, source: string): TemplateSyntaxProblem | null {
  try {
    engineFor(field).parse(source);
    return null;
  } catch (err) {
    if (!isTemplateError(err)) throw err;
    return { field, line: lineOf(err), message: reasonOf(err) };
  }
}

/** What a step needs rendered: its subject (null: in the thread of the first), html and text. */
export interface StepContent {
  subject: string | null;
  html: string | null;
  text: string | null;
}

export type RenderOutcome =
  | { ok: true; content: StepContent }
  /** A variable with no value and no fallback: the step must not be sent. */
  | { ok: false; problem: 'missing_variable'; field: TemplateField; variable: string; message: string }
  /** Refused at render: too long, too slow, too large, or (for templates saved before checks) not parsing. */
  | { ok: false; problem: 'render_failed'; field: TemplateField; variable: null; message: string };

const cache = new Map<string, Template[]>();
const MAX_CACHED = 500;

function parsed(field: TemplateField, source: string): Template[] {
  const key = `${field}\u0000${source}`;
  let templates = cache.get(key);
  if (!templates) {
    templates = engineFor(field).parse(source);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(key, templates);
  }
  return templates;
}

function missingVariable(err: unknown): string | null {
  if (!(err instanceof UndefinedVariableError)) return null;
  const match = /undefined variable: ([^,\n]+)/.exec(err.message);
  return match ? match[1]!.trim() : 'unknown';
}

/** Renders each field against `variables`; the first field that cannot be rendered is the answer. */
export function renderStep(step: StepContent, variables: Readonly<Record<string, string>>): RenderOutcome {
  const content: StepContent = { subject: null, html: null, text: null };
  for (const field of ['subject', 'html', 'text'] as const) {
    const source = step[field];
    if (source === null) continue;
    try {
      const out = engineFor(field).renderSync(parsed(field, source), { ...variables }) as string;
      const limit = field === 'subject' ? MAX_RENDERED_SUBJECT_CHARACTERS : MAX_RENDERED_CHARACTERS;
      if (out.length > limit) return { ok: false, problem: 'render_failed', field, variable: null, message: `the rendered ${field} has ${out.length} characters, more than ${limit}` };
      // A subject is one line: whatever a variable brings, line breaks become spaces.
      content[field] = field === 'subject' ? out.replace(/[\r\n]+/g, ' ').trim() : out;
    } catch (err) {
      const variable = missingVariable(err);
      if (variable !== null) {
        return { ok: false, problem: 'missing_variable', field, variable, message: `"${variable}" has no value for this prospect and no fallback (the step's ${field})` };
      }
      if (!isTemplateError(err)) throw err;
      return { ok: false, problem: 'render_failed', field, variable: null, message: `the step's ${field} could not be rendered: ${reasonOf(err)}` };
    }
  }
  return { ok: true, content };
}
