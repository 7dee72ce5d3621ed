// Checks that src/common knows no module: no string or name in its code (comments aside) is a module's
// name, one of its patterns or events (`<module>.<something>`), or one of its settings (`<MODULE>_...`).
// Modules are the folders of src/modules. Exits 1 and lists every finding; `findings(root)` is exported for the spec.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

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
      const isText = ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) ||
        ts.isTemplateMiddle(node) || ts.isTemplateTail(node);
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

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const list = findings(root);
  if (list.length) {
    console.error(`src/common names a module (its name, pattern, event or setting belongs in that module):\n  ${list.join('\n  ')}`);
    process.exit(1);
  }
  console.log('src/common names no module.');
}
