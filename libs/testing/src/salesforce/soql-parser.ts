import { malformedQuery } from './salesforce-api-error';

/**
 * A parser for the SOQL subset the sandbox answers (SOQL and SOSL Reference,
 * "SOQL SELECT Syntax"):
 *
 *   SELECT field, … | COUNT()  FROM Object
 *   [WHERE condition]  [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], …]
 *   [LIMIT n] [OFFSET n]
 *
 * Conditions: =, !=, <>, <, <=, >, >=, [NOT] IN (…), LIKE, NOT, AND, OR and
 * parentheses, over string, number, boolean, null, date and dateTime literals.
 * Anything else (relationship paths, functions, GROUP BY, subqueries, date
 * literals like TODAY) is rejected as MALFORMED_QUERY rather than half-answered.
 */

export type SoqlLiteral =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'date'; value: string }
  | { kind: 'datetime'; value: string };

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type SoqlCondition =
  | { kind: 'and' | 'or'; operands: SoqlCondition[] }
  | { kind: 'not'; operand: SoqlCondition }
  | { kind: 'compare'; field: string; operator: ComparisonOperator; value: SoqlLiteral }
  | { kind: 'in'; field: string; negated: boolean; values: SoqlLiteral[] }
  | { kind: 'like'; field: string; pattern: string };

export interface SoqlOrder {
  field: string;
  descending: boolean;
  nullsFirst: boolean;
}

export interface SoqlQuery {
  select: { kind: 'fields'; fields: string[] } | { kind: 'count' };
  from: string;
  where: SoqlCondition | null;
  orderBy: SoqlOrder[];
  limit: number | null;
  offset: number | null;
}

type Token =
  | { kind: 'word'; text: string; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'number'; value: number; text: string; at: number }
  | { kind: 'date'; value: string; at: number }
  | { kind: 'datetime'; value: string; at: number }
  | { kind: 'symbol'; text: string; at: number }
  | { kind: 'end'; at: number };

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;
const DATE_LITERAL = /^\d{4}-\d{2}-\d{2}/;
const DATETIME_LITERAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})/;
const NUMBER_LITERAL = /^-?\d+(\.\d+)?/;
const SYMBOLS = ['!=', '<>', '<=', '>=', '=', '<', '>', '(', ')', ','];

/** Words that end a field list or a clause; they cannot be field names. */
const RESERVED = new Set([
  'select', 'from', 'where', 'and', 'or', 'not', 'in', 'like', 'order', 'by', 'asc', 'desc', 'nulls',
  'first', 'last', 'limit', 'offset', 'null', 'true', 'false', 'group', 'having', 'with', 'for', 'using',
  'includes', 'excludes',
]);

/** SOQL "Quoted String Escape Sequences"; any other backslash is an error. */
const STRING_ESCAPES: Record<string, string> = {
  n: '\n', N: '\n', r: '\r', R: '\r', t: '\t', T: '\t', b: '\b', B: '\b', f: '\f', F: '\f',
  '"': '"', "'": "'", '\\': '\\',
};

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const ch = soql.charAt(i);
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (ch === "'") {
      const [value, next] = readString(soql, i);
      tokens.push({ kind: 'string', value, at: i });
      i = next;
      continue;
    }
    const rest = soql.slice(i);
    const datetime = DATETIME_LITERAL.exec(rest);
    if (datetime) {
      tokens.push({ kind: 'datetime', value: datetime[0], at: i });
      i += datetime[0].length;
      continue;
    }
    const date = DATE_LITERAL.exec(rest);
    if (date) {
      tokens.push({ kind: 'date', value: date[0], at: i });
      i += date[0].length;
      continue;
    }
    const number = NUMBER_LITERAL.exec(rest);
    if (number && (ch !== '-' || /\d/.test(soql.charAt(i + 1)))) {
      tokens.push({ kind: 'number', value: Number(number[0]), text: number[0], at: i });
      i += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(rest);
    if (word) {
      tokens.push({ kind: 'word', text: word[0], at: i });
      i += word[0].length;
      continue;
    }
    const symbol = SYMBOLS.find((s) => rest.startsWith(s));
    if (symbol) {
      tokens.push({ kind: 'symbol', text: symbol, at: i });
      i += symbol.length;
      continue;
    }
    throw malformedQuery(`unexpected token: '${ch}' at column ${i + 1}`);
  }
  tokens.push({ kind: 'end', at: soql.length });
  return tokens;
}

function readString(soql: string, start: number): [string, number] {
  let value = '';
  let i = start + 1;
  while (i < soql.length) {
    const ch = soql.charAt(i);
    if (ch === "'") return [value, i + 1];
    if (ch === '\\') {
      const next = soql.charAt(i + 1);
      const mapped = STRING_ESCAPES[next];
      if (mapped !== undefined) {
        value += mapped;
        i += 2;
        continue;
      }
      if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(soql.slice(i + 2, i + 6))) {
        value += String.fromCharCode(parseInt(soql.slice(i + 2, i + 6), 16));
        i += 6;
        continue;
      }
      // `\%` and `\_` keep their backslash: they mean something only inside LIKE.
      if (next === '%' || next === '_') {
        value += `\\${next}`;
        i += 2;
        continue;
      }
      throw malformedQuery(`Invalid string literal: illegal escape sequence \\${next} at column ${i + 1}`);
    }
    value += ch;
    i += 1;
  }
  throw malformedQuery('unterminated string literal');
}

class Parser {
  private position = 0;

  constructor(private readonly tokens: Token[]) {}

  parseQuery(): SoqlQuery {
    this.expectWord('select');
    const select = this.parseSelectList();
    this.expectWord('from');
    const from = this.expectIdentifier('object name');
    let where: SoqlCondition | null = null;
    if (this.acceptWord('where')) where = this.parseCondition();
    let orderBy: SoqlOrder[] = [];
    if (this.acceptWord('order')) {
      this.expectWord('by');
      orderBy = this.parseOrderBy();
    }
    const limit = this.acceptWord('limit') ? this.expectInteger('LIMIT') : null;
    const offset = this.acceptWord('offset') ? this.expectInteger('OFFSET') : null;
    const trailing = this.peek();
    if (trailing.kind !== 'end') throw this.unexpected(trailing);
    return { select, from, where, orderBy, limit, offset };
  }

  private parseSelectList(): SoqlQuery['select'] {
    const first = this.peek();
    const second = this.peek(1);
    if (first.kind === 'word' && first.text.toLowerCase() === 'count' && second.kind === 'symbol' && second.text === '(') {
      this.position += 2;
      this.expectSymbol(')');
      return { kind: 'count' };
    }
    const fields = [this.expectIdentifier('field')];
    while (this.acceptSymbol(',')) fields.push(this.expectIdentifier('field'));
    return { kind: 'fields', fields };
  }

  /** SOQL "Logical Operators": parentheses are required whenever AND and OR are mixed. */
  private parseCondition(): SoqlCondition {
    const first = this.parseUnary();
    const operands = [first];
    let joiner: 'and' | 'or' | null = null;
    for (;;) {
      const token = this.peek();
      const word = token.kind === 'word' ? token.text.toLowerCase() : '';
      if (word !== 'and' && word !== 'or') break;
      if (joiner !== null && joiner !== word) {
        throw malformedQuery(`unexpected token: '${token.kind === 'word' ? token.text : ''}': mixing AND and OR needs parentheses`);
      }
      joiner = word;
      this.position += 1;
      operands.push(this.parseUnary());
    }
    return joiner === null ? first : { kind: joiner, operands };
  }

  private parseUnary(): SoqlCondition {
    if (this.acceptWord('not')) return { kind: 'not', operand: this.parseUnary() };
    if (this.acceptSymbol('(')) {
      const inner = this.parseCondition();
      this.expectSymbol(')');
      return inner;
    }
    return this.parseComparison();
  }

  private parseComparison(): SoqlCondition {
    const field = this.expectIdentifier('field');
    if (this.acceptWord('like')) {
      const pattern = this.next();
      if (pattern.kind !== 'string') throw this.unexpected(pattern);
      return { kind: 'like', field, pattern: pattern.value };
    }
    const negated = this.acceptWord('not');
    if (this.acceptWord('in')) {
      this.expectSymbol('(');
      const values = [this.parseLiteral()];
      while (this.acceptSymbol(',')) values.push(this.parseLiteral());
      this.expectSymbol(')');
      return { kind: 'in', field, negated, values };
    }
    if (negated) throw this.unexpected(this.peek());
    const operator = this.next();
    if (operator.kind !== 'symbol' || ['(', ')', ','].includes(operator.text)) throw this.unexpected(operator);
    const normalized = (operator.text === '<>' ? '!=' : operator.text) as ComparisonOperator;
    return { kind: 'compare', field, operator: normalized, value: this.parseLiteral() };
  }

  private parseLiteral(): SoqlLiteral {
    const token = this.next();
    switch (token.kind) {
      case 'string':
        return { kind: 'string', value: token.value };
      case 'number':
        return { kind: 'number', value: token.value };
      case 'date':
        return { kind: 'date', value: token.value };
      case 'datetime':
        return { kind: 'datetime', value: token.value };
      case 'word': {
        const word = token.text.toLowerCase();
        if (word === 'null') return { kind: 'null' };
        if (word === 'true' || word === 'false') return { kind: 'boolean', value: word === 'true' };
        throw malformedQuery(`unexpected token: '${token.text}' (date literals and bind variables are not supported)`);
      }
      default:
        throw this.unexpected(token);
    }
  }

  private parseOrderBy(): SoqlOrder[] {
    const orders: SoqlOrder[] = [];
    do {
      const field = this.expectIdentifier('field');
      let descending = false;
      if (this.acceptWord('desc')) descending = true;
      else this.acceptWord('asc');
      // SOQL "ORDER BY": by default, null values are sorted first.
      let nullsFirst = true;
      if (this.acceptWord('nulls')) {
        if (this.acceptWord('last')) nullsFirst = false;
        else this.expectWord('first');
      }
      orders.push({ field, descending, nullsFirst });
    } while (this.acceptSymbol(','));
    return orders;
  }

  private expectInteger(clause: string): number {
    const token = this.next();
    if (token.kind !== 'number' || !Number.isInteger(token.value) || token.value < 0) {
      throw malformedQuery(`${clause} must be a non-negative integer`);
    }
    return token.value;
  }

  private expectIdentifier(what: string): string {
    const token = this.next();
    if (token.kind !== 'word' || RESERVED.has(token.text.toLowerCase())) throw this.unexpected(token);
    if (token.text.includes('.')) {
      throw malformedQuery(`relationship paths such as '${token.text}' are not supported by the Salesforce sandbox`);
    }
    if (!IDENTIFIER.test(token.text)) throw malformedQuery(`invalid ${what}: '${token.text}'`);
    if (this.peek().kind === 'symbol' && this.peekSymbol('(')) {
      throw malformedQuery(`functions such as ${token.text}() are not supported by the Salesforce sandbox`);
    }
    return token.text;
  }

  private expectWord(word: string): void {
    const token = this.next();
    if (token.kind !== 'word' || token.text.toLowerCase() !== word) throw this.unexpected(token);
  }

  private acceptWord(word: string): boolean {
    const token = this.peek();
    if (token.kind === 'word' && token.text.toLowerCase() === word) {
      this.position += 1;
      return true;
    }
    return false;
  }

  private expectSymbol(symbol: string): void {
    const token = this.next();
    if (token.kind !== 'symbol' || token.text !== symbol) throw this.unexpected(token);
  }

  private acceptSymbol(symbol: string): boolean {
    if (this.peekSymbol(symbol)) {
      this.position += 1;
      return true;
    }
    return false;
  }

  private peekSymbol(symbol: string): boolean {
    const token = this.peek();
    return token.kind === 'symbol' && token.text === symbol;
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.position + ahead, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.position += 1;
    return token;
  }

  private unexpected(token: Token): Error {
    if (token.kind === 'end') return malformedQuery('unexpected end of query');
    const text = token.kind === 'string' ? `'${token.value}'` : 'text' in token ? token.text : token.value;
    return malformedQuery(`unexpected token: '${text}' at column ${token.at + 1}`);
  }
}

export function parseSoql(soql: string): SoqlQuery {
  return new Parser(tokenize(soql)).parseQuery();
}
