import type { Plugin } from '@hey-api/openapi-ts';
import ts from 'typescript';

type Hooks = NonNullable<Plugin.Hooks['~hooks']>;

/**
 * Marks every schema the zod plugin declares as pure, so that a bundler keeps only the schemas an app
 * uses: `export const zMoney = /* @__PURE__ *\/ z.strictObject({ amount: /* @__PURE__ *\/ z.int().check(…) })`.
 *
 * Without it a bundle that imports one operation's validators keeps every schema of the module: a
 * top-level call may have side effects as far as the bundler knows. zod marks its own functions
 * `@__NO_SIDE_EFFECTS__`, but esbuild does not carry that across modules, and `.check(…)` is a method
 * call nothing marks. So each outermost call of a declaration's value gets the annotation (esbuild and
 * Rollup read it as covering the whole chain `z.int().check(…)`), and so does every call among the
 * arguments of such a chain, objects and arrays included. Function bodies (`z.lazy(() => …)`) are
 * left as they are: they run only when called.
 *
 * hey-api's TypeScript DSL has no way to annotate an expression, so the hook wraps each declaration's
 * `toAst()`, which the printer calls once per file, and annotates the syntax tree it returns.
 *
 * @example
 * ```ts
 * plugins: [{ name: 'zod', compatibilityVersion: 'mini', '~hooks': pureSchemaDeclarations }]
 * ```
 */
export const pureSchemaDeclarations: Hooks = {
  events: {
    'node:set:before': ({ node }) => {
      if (!node) return;
      const toAst = node.toAst.bind(node);
      node.toAst = () => {
        const ast: unknown = toAst();
        if (ts.isVariableStatement(ast as ts.Node)) {
          for (const { initializer } of (ast as ts.VariableStatement).declarationList.declarations) if (initializer) markPure(initializer);
        }
        return ast;
      };
    },
  },
};

function markPure(node: ts.Node): void {
  if (ts.isFunctionLike(node)) return;
  if (!ts.isCallExpression(node)) {
    ts.forEachChild(node, markPure);
    return;
  }
  ts.addSyntheticLeadingComment(node, ts.SyntaxKind.MultiLineCommentTrivia, ' @__PURE__ ', false);
  for (let link: ts.Expression = node; ; ) {
    if (ts.isCallExpression(link)) {
      link.arguments.forEach(markPure);
      link = link.expression;
    } else if (ts.isPropertyAccessExpression(link)) {
      link = link.expression;
    } else {
      return;
    }
  }
}
