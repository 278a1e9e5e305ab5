import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { TARGET_NAMES } from '../src/targets/target.js';
import { REPO } from './helpers/project.js';

/**
 * The layers of src/, lowest first. A file may import its own layer and any lower one, never a higher
 * one: the lower layers stay usable (and testable) without the upper ones, and a new target is a change
 * inside targets/ only. Layers on one line are peers and may import each other. A unit is a folder or
 * top-level file of src/, or a file inside a folder (`doctor/check`) when that file sits in another layer
 * than the rest of its folder.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['result', 'fs', 'text', 'version'],
  ['config'],
  ['graph', 'cache'],
  // What an image records of how it was made: read by the targets (labels, tags) and the engine (manifest).
  ['provenance'],
  ['packer', 'terraform'],
  // A doctor check's vocabulary and the Packer checks (pure; the Packer adapter probes): each target's own doctor checks use them.
  ['doctor/check', 'doctor/packer'],
  ['targets'],
  ['engine'],
  ['ui'],
  ['commands', 'doctor', 'docs'],
  // flush-exit: how the process ends (after its output is flushed), used by cli.ts for bin/.
  ['cli', 'flush-exit'],
];

/** The one file that maps a target's name to its implementation: the only one that may compare names. */
const TARGET_REGISTRY = 'src/targets/registry.ts';

export interface SourceFile {
  /** Relative to the repository, forward slashes. */
  readonly path: string;
  readonly text: string;
}

export interface Violation {
  readonly rule: 'layer' | 'tests' | 'dev-dependency' | 'target-name';
  readonly where: string;
  readonly message: string;
}

/** The unit of a path under src/: the most specific entry of LAYERS it falls under, else its top-level folder or file. */
function unitOf(path: string): string {
  const rel = path.replace(/^src\//, '').replace(/\.[jt]s$/, '');
  const named = LAYERS.flat()
    .filter((unit) => rel === unit || rel.startsWith(`${unit}/`))
    .sort((a, b) => b.length - a.length);
  return named[0] ?? rel.split('/')[0]!;
}

const rankOf = (unit: string): number | undefined => {
  const rank = LAYERS.findIndex((layer) => layer.includes(unit));
  return rank < 0 ? undefined : rank;
};

function imports(source: ts.SourceFile): Array<{ specifier: string; line: number }> {
  const found: Array<{ specifier: string; line: number }> = [];
  const add = (node: ts.Node, literal: ts.Expression | undefined): void => {
    if (literal && ts.isStringLiteral(literal))
      found.push({ specifier: literal.text, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node, node.moduleSpecifier);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node, node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal as ts.Expression);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Comparisons with a target name literal (`x === 'ami'`, `case 'docker':`) in `source`. */
function targetNameComparisons(source: ts.SourceFile, names: readonly string[]): number[] {
  const lines: number[] = [];
  const isName = (node: ts.Node): boolean =>
    (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && names.includes(node.text);
  const equality = new Set([
    ts.SyntaxKind.EqualsEqualsEqualsToken,
    ts.SyntaxKind.ExclamationEqualsEqualsToken,
    ts.SyntaxKind.EqualsEqualsToken,
    ts.SyntaxKind.ExclamationEqualsToken,
  ]);
  const visit = (node: ts.Node): void => {
    const compares =
      (ts.isBinaryExpression(node) && equality.has(node.operatorToken.kind) && (isName(node.left) || isName(node.right))) ||
      (ts.isCaseClause(node) && isName(node.expression));
    if (compares) lines.push(source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return lines;
}

/** Every rule broken by the given production files of src/ (test files are not passed in). */
export function checkBoundaries(
  files: readonly SourceFile[],
  options: { readonly dependencies: ReadonlySet<string>; readonly targetNames: readonly string[] },
): Violation[] {
  const violations: Violation[] = [];
  for (const file of files) {
    const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.ES2022, true);
    const from = unitOf(file.path);
    const fromRank = rankOf(from);
    if (fromRank === undefined) {
      violations.push({
        rule: 'layer',
        where: file.path,
        message: `src/${from} is in no layer: add it to LAYERS in tests/boundaries.test.ts`,
      });
    }
    for (const { specifier, line } of imports(source)) {
      const where = `${file.path}:${line}`;
      if (specifier.startsWith('.')) {
        const target = relative(REPO, resolve(REPO, dirname(file.path), specifier))
          .split('\\')
          .join('/');
        if (!target.startsWith('src/')) {
          violations.push({ rule: 'tests', where, message: `imports ${specifier}: src/ never imports outside src/ (tests/ least of all)` });
          continue;
        }
        const to = unitOf(target);
        const toRank = rankOf(to);
        if (fromRank !== undefined && toRank !== undefined && toRank > fromRank) {
          violations.push({ rule: 'layer', where, message: `${from} imports ${to} (${specifier}): ${to} is a higher layer than ${from}` });
        }
      } else {
        const bare = specifier.replace(/^node:/, '');
        const pkg = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
        const builtin = specifier.startsWith('node:') || builtinModules.includes(bare);
        if (!builtin && !options.dependencies.has(pkg)) {
          violations.push({
            rule: 'dev-dependency',
            where,
            message: `imports ${pkg}, which is not in package.json "dependencies": the CLI cannot load it`,
          });
        }
      }
    }
    if (file.path !== TARGET_REGISTRY) {
      for (const line of targetNameComparisons(source, options.targetNames)) {
        violations.push({
          rule: 'target-name',
          where: `${file.path}:${line}`,
          message: `compares a target name: ask the target (its definition or port) instead; only ${TARGET_REGISTRY} maps names`,
        });
      }
    }
  }
  return violations;
}

/** The production files of src/: everything but *.test.ts. */
function productionFiles(): SourceFile[] {
  const out: SourceFile[] = [];
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
        out.push({ path: relative(REPO, path).split('\\').join('/'), text: readFileSync(path, 'utf8') });
    }
  };
  visit(join(REPO, 'src'));
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const OPTIONS = { dependencies: new Set(Object.keys(pkg.dependencies)), targetNames: TARGET_NAMES };
const render = (violations: readonly Violation[]): string => violations.map((v) => `${v.where}: ${v.message}`).join('\n');

describe('boundaries of src/', () => {
  it('every folder of src/ is in a layer, and no file imports a higher layer, tests/, a devDependency, or compares target names', () => {
    const files = productionFiles();
    expect(files.length).toBeGreaterThan(50);
    expect(render(checkBoundaries(files, OPTIONS))).toBe('');
  });

  it('every layer names a folder or file of src/ (no stale entries)', () => {
    const units = new Set(productionFiles().map((f) => unitOf(f.path)));
    expect(LAYERS.flat().filter((unit) => !units.has(unit))).toEqual([]);
  });

  // The checker itself, on made-up files: each rule fires, so the test above can fail.
  it.each([
    {
      rule: 'a lower layer importing a higher one',
      file: { path: 'src/targets/docker/target.ts', text: "import { runBuild } from '../../engine/build.js';\n" },
      expected: 'src/targets/docker/target.ts:1: targets imports engine (../../engine/build.js): engine is a higher layer than targets',
    },
    {
      rule: 'a type-only import counts too',
      file: { path: 'src/config/types.ts', text: "\n\nimport type { Target } from '../targets/target.js';\n" },
      expected: 'src/config/types.ts:3: config imports targets (../targets/target.js): targets is a higher layer than config',
    },
    {
      rule: 'a dynamic import counts too',
      file: { path: 'src/engine/x.ts', text: "const m = await import('../commands/build.js');\n" },
      expected: 'src/engine/x.ts:1: engine imports commands (../commands/build.js): commands is a higher layer than engine',
    },
    {
      rule: 'src/ importing tests/',
      file: { path: 'src/targets/ami/x.ts', text: "export { fakePacker } from '../../../tests/helpers/fake-packer.js';\n" },
      expected:
        'src/targets/ami/x.ts:1: imports ../../../tests/helpers/fake-packer.js: src/ never imports outside src/ (tests/ least of all)',
    },
    {
      rule: 'a devDependency in code the CLI runs',
      file: { path: 'src/terraform/x.ts', text: "import { mockClient } from 'aws-sdk-client-mock';\n" },
      expected: 'src/terraform/x.ts:1: imports aws-sdk-client-mock, which is not in package.json "dependencies": the CLI cannot load it',
    },
    {
      rule: 'a target name compared outside the registry',
      file: { path: 'src/engine/x.ts', text: "export const f = (t: { name: string }) => (t.name === 'ami' ? 1 : 2);\n" },
      expected: `src/engine/x.ts:1: compares a target name: ask the target (its definition or port) instead; only ${TARGET_REGISTRY} maps names`,
    },
    {
      rule: 'a switch on target names outside the registry',
      file: {
        path: 'src/commands/x.ts',
        text: "export function f(n: string) {\n  switch (n) {\n    case 'docker':\n      return 1;\n  }\n}\n",
      },
      expected: `src/commands/x.ts:3: compares a target name: ask the target (its definition or port) instead; only ${TARGET_REGISTRY} maps names`,
    },
    {
      rule: 'a folder in no layer',
      file: { path: 'src/plugins/x.ts', text: '' },
      expected: 'src/plugins/x.ts: src/plugins is in no layer: add it to LAYERS in tests/boundaries.test.ts',
    },
  ])('catches $rule', ({ file, expected }) => {
    expect(render(checkBoundaries([file], OPTIONS))).toBe(expected);
  });

  it('allows what the layering allows: same layer, lower layers, node builtins, dependencies, the registry', () => {
    const files: SourceFile[] = [
      {
        path: 'src/engine/x.ts',
        text: "import { a } from './y.js';\nimport { b } from '../targets/target.js';\nimport { c } from '../result.js';\n",
      },
      {
        path: 'src/cache/x.ts',
        text: "import { d } from '../graph/tree.js';\nimport { readFile } from 'node:fs/promises';\nimport { execa } from 'execa';\n",
      },
      { path: TARGET_REGISTRY, text: "export const f = (n: string) => n === 'docker';\n" },
    ];
    expect(render(checkBoundaries(files, OPTIONS))).toBe('');
  });
});
