/**
 * Accumulates plain text with the layout rules browsers apply to HTML: runs of whitespace are one
 * space, spaces at the start of a line vanish, and block boundaries become line breaks, the
 * largest requested break winning (a `</p>` followed by `<div>` is one blank line, not three).
 */
export class PlainTextWriter {
  private readonly parts: string[] = [];
  private pendingBreak = 0;
  private trailingNewlines = 0;
  private endsWithSpace = false;
  private suppressBreaks = false;

  /** Flowing text, already whitespace-collapsed by the caller. */
  text(value: string): void {
    let text = value;
    if (this.isAtLineStart() || this.endsWithSpace) text = text.replace(/^ +/, '');
    if (text === '') return;
    this.write(text);
  }

  /** Text written as-is (preformatted content, list markers). */
  verbatim(value: string): void {
    if (value === '') return;
    this.write(value);
  }

  /** A separating space (between table cells), unless at a line start or after a space. */
  space(): void {
    if (!this.isAtLineStart() && !this.endsWithSpace) this.write(' ');
  }

  /** Ask for `level` line breaks (1: new line, 2: blank line) before the next text. */
  blockBoundary(level: 1 | 2): void {
    if (this.suppressBreaks) return;
    this.pendingBreak = Math.max(this.pendingBreak, level);
  }

  /** `<br>`: one hard line break. Two in a row give a blank line. */
  lineBreak(): void {
    if (this.parts.length === 0) return;
    this.flushBreak();
    this.parts.push('\n');
    this.trailingNewlines++;
    this.endsWithSpace = false;
  }

  /** After a list marker, a block inside the item (`<li><p>…`) must not push the text to the next line. */
  holdBreaksUntilText(): void {
    this.suppressBreaks = true;
  }

  /** Position to read back what was written since (link text). */
  mark(): number {
    return this.parts.length;
  }

  writtenSince(mark: number): string {
    return this.parts.slice(mark).join('');
  }

  toString(): string {
    return this.parts
      .join('')
      .replace(/[ \t]+$/gm, '')
      .replace(/\n{3,}/g, '\n\n')
      .replace(/^\n+|\s+$/g, '');
  }

  private isAtLineStart(): boolean {
    return this.parts.length === 0 || this.pendingBreak > 0 || this.trailingNewlines > 0;
  }

  private flushBreak(): void {
    if (this.pendingBreak > 0 && this.parts.length > 0) {
      const missing = this.pendingBreak - this.trailingNewlines;
      if (missing > 0) {
        this.parts.push('\n'.repeat(missing));
        this.trailingNewlines += missing;
      }
    }
    this.pendingBreak = 0;
  }

  private write(text: string): void {
    this.flushBreak();
    this.suppressBreaks = false;
    this.parts.push(text);
    const trailing = /\n*$/.exec(text)?.[0].length ?? 0;
    this.trailingNewlines = trailing === text.length ? this.trailingNewlines + trailing : trailing;
    this.endsWithSpace = text.endsWith(' ');
  }
}
