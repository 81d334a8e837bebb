import type { Type } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import ts from 'typescript';

const parsed = new Map<string, ts.SourceFile>();

/** The TypeScript source a compiled controller came from (services/<name>/dist/src/x.js → src/x.ts). */
function sourceOf(controller: Type): ts.SourceFile | null {
  for (const loaded of Object.values(require.cache)) {
    if (!loaded || !Object.values((loaded.exports ?? {}) as object).includes(controller)) continue;
    const file = loaded.filename.replace(/\/dist\/src\//, '/src/').replace(/\.js$/, '.ts');
    if (!existsSync(file)) return null;
    let source = parsed.get(file);
    if (!source) parsed.set(file, (source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)));
    return source;
  }
  return null;
}

function jsDocText(node: ts.Node): string {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  return docs
    .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '')
    .join('\n')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

/**
 * What the handler's doc comment says, for the operation's summary (its first sentence) and
 * description: the document says what the code's own comments say, in one place.
 */
export function handlerDocumentation(controller: Type, handler: string): { summary: string | null; description: string | null } {
  const source = sourceOf(controller);
  if (!source) return { summary: null, description: null };
  let text = '';
  const visit = (node: ts.Node): void => {
    if (ts.isClassDeclaration(node) && node.name?.text === controller.name) {
      for (const member of node.members) {
        if (ts.isMethodDeclaration(member) && member.name.getText(source) === handler) text = jsDocText(member);
      }
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (!text) return { summary: null, description: null };
  const first = /^(.+?[.!?])(\s|$)/.exec(text)?.[1] ?? text;
  return { summary: first.length <= 160 ? first : null, description: first === text && first.length <= 160 ? null : text };
}
