// ESLint for Sigap: a small rule set of checks that catch real bugs, not style.
// Formatting is Prettier's job (eslint-config-prettier, last, turns off every rule it owns).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import prettier from 'eslint-config-prettier/flat';
import tseslint from 'typescript-eslint';

const TS_FILES = ['*.ts', '{probes,detector,api,migrations,demo,bench,tests}/**/*.ts'];

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'data/'] },

  { files: ['eslint.config.js'], ...js.configs.recommended },

  {
    files: TS_FILES,
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: {
      // Type-aware: the two promise rules need types. The project service reads tsconfig.json,
      // which includes every linted file.
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise nobody awaits or catches loses its error (an unhandled rejection ends Node).
      '@typescript-eslint/no-floating-promises': 'error',
      // An async function where a void callback is expected (an event listener, a timer): its
      // rejection goes nowhere; a promise in a condition is always true.
      '@typescript-eslint/no-misused-promises': 'error',
      // verbatimModuleSyntax already requires `import type` for types; this keeps one style of it.
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // `x != null` (null or undefined) is the one loose comparison worth keeping.
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // The service logs through pino; console output belongs to the command line, the demo,
      // the benchmarks and the tests (a failed test prints its child processes' transcripts).
      'no-console': 'error',
    },
  },

  {
    // knex's query builder is a thenable, so the grouping callbacks of `where((w) => w.where(…))`,
    // which return the builder by design, look like promises handed to a void callback.
    files: ['detector/store/**/*.ts'],
    rules: { '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }] },
  },

  {
    files: ['cli.ts', 'demo/**/*.ts', 'bench/**/*.ts', 'tests/**/*.ts'],
    rules: { 'no-console': 'off' },
  },

  {
    // A test reads a JSON answer or a YAML tree loosely and lets expect() check its shape.
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },

  prettier,
);
