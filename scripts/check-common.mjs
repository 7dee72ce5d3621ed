// Two checks of the source tree (comments aside), part of `npm run lint`:
// - src/common knows no module: no string or name in its code is a module's name, one of its patterns or
//   events (`<module>.<something>`), or one of its settings (`<MODULE>_...`). Modules are the folders of src/modules.
// - the process environment is read in one file, src/common/config/settings.source.ts: no other file of
//   src (specs aside) reads `process.env`; everything else is given its settings.
// Exits 1 and lists every finding; `findings(root)` and `environmentReads(root)` are exported for the spec.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The one file that reads the process environment. */
export const ENVIRONMENT_SOURCE = 'src/common/config/settings.source.ts';

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Every place under `<root>/src/common` that names a module of `<root>/src/modules`. */
export function findings(root) {
  const modules = readdirSync(join(root, 'src', 'modules')).filter((m) => statSync(join(root, 'src', 'modules', m)).isDirectory());
  if (!modules.length) return [];
  const names = modules.join('|');
  const text = new RegExp(`^(${names})$|^(${names})\\.[a-z]|\\b(${names.toUpperCase()})_[A-Z0-9_]+`);
  const identifier = new RegExp(`^(${names.toUpperCase()})_[A-Z0-9_]+$`);
  const found = [];
  for (const file of files(join(root, 'src', 'common'))) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      const isText =
        ts.isStringLiteral(node) ||
        ts.isNoSubstitutionTemplateLiteral(node) ||
        ts.isTemplateHead(node) ||
        ts.isTemplateMiddle(node) ||
        ts.isTemplateTail(node);
      if ((isText && text.test(node.text)) || (ts.isIdentifier(node) && identifier.test(node.text))) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart());
        found.push(`${relative(root, file)}:${line + 1}: ${JSON.stringify(node.text)}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

const isProcess = (node) =>
  (ts.isIdentifier(node) && node.text === 'process') ||
  (ts.isPropertyAccessExpression(node) &&
    node.name.text === 'process' &&
    ts.isIdentifier(node.expression) &&
    node.expression.text === 'globalThis');
const nameOf = (node) =>
  ts.isPropertyAccessExpression(node)
    ? node.name.text
    : ts.isStringLiteralLike(node.argumentExpression)
      ? node.argumentExpression.text
      : undefined;

/**
 * Every place in `<root>/src` (specs aside) outside ENVIRONMENT_SOURCE that reads the process environment:
 * `process.env`, `process['env']`, `const { env } = process`, or `env` imported from `node:process`.
 */
export function environmentReads(root) {
  const found = [];
  for (const file of files(join(root, 'src'))) {
    if (relative(root, file).split('\\').join('/') === ENVIRONMENT_SOURCE) continue;
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const report = (node, what) => {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart());
      found.push(`${relative(root, file)}:${line + 1}: ${what}`);
    };
    const visit = (node) => {
      if (
        (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) &&
        isProcess(node.expression) &&
        nameOf(node) === 'env'
      ) {
        report(node, node.getText());
      } else if (
        ts.isVariableDeclaration(node) &&
        ts.isObjectBindingPattern(node.name) &&
        node.initializer &&
        isProcess(node.initializer) &&
        node.name.elements.some((e) => (e.propertyName ?? e.name).getText() === 'env')
      ) {
        report(node, node.getText());
      } else if (ts.isImportDeclaration(node) && ['process', 'node:process'].includes(node.moduleSpecifier.text)) {
        const named = node.importClause?.namedBindings;
        if (named && ts.isNamedImports(named) && named.elements.some((e) => (e.propertyName ?? e.name).text === 'env'))
          report(node, node.getText());
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const modules = findings(root);
  const reads = environmentReads(root);
  if (modules.length)
    console.error(`src/common names a module (its name, pattern, event or setting belongs in that module):\n  ${modules.join('\n  ')}`);
  if (reads.length) {
    console.error(
      `the process environment is read outside ${ENVIRONMENT_SOURCE} (read a setting there, validate it at boot and pass or inject ` +
        `it):\n  ${reads.join('\n  ')}`,
    );
  }
  if (modules.length || reads.length) process.exit(1);
  console.log(`src/common names no module; only ${ENVIRONMENT_SOURCE} reads the process environment.`);
}
