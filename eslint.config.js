// Lint, including the layering rules from STYLE.md: a wrong import fails CI.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

/** Builds a no-restricted-imports rule from regexes of forbidden specifiers. */
const forbid = (...rules) => [
  'error',
  { patterns: rules.map(([regex, message]) => ({ regex, message })) },
];

const NODE_BUILTINS = '^(node:|fs$|path$|os$|child_process$|crypto$|worker_threads$|net$|http$)';

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'tmp/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'], svelteConfig } },
  },
  {
    files: ['renderer/**', 'main/browser-host/bridge-client.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },

  // ---- Layering (STYLE.md: "the shape of the house") ----
  {
    files: ['engine/**/*.ts'],
    ignores: ['engine/contract/**'],
    rules: {
      'no-restricted-imports': forbid(
        ['^electron$', 'engine never imports electron: it runs in Node, workers and the CLI too'],
        ['(^|/)(main|preload|renderer)/', 'engine must not import hosts or the renderer'],
      ),
    },
  },
  {
    files: ['engine/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid([
        '^(?!zod$|\\./).*',
        'engine/contract depends on zod only: it is loaded by the preload and the page',
      ]),
    },
  },
  {
    files: ['preload/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid([
        '^(?!electron$|\\.\\./engine/contract/|\\./).*',
        'preload imports only electron and engine/contract',
      ]),
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte', 'main/browser-host/bridge-client.ts'],
    rules: {
      'no-restricted-imports': forbid(
        ['(^|/)engine/(?!contract/)', 'the page imports only engine/contract, never engine internals'],
        ['(^|/)(main|preload)/(?!browser-host/bridge-protocol)', 'the page must not import host code'],
        ['^electron$', 'the page has no access to electron'],
        [NODE_BUILTINS, 'the page has no Node: talk to the engine through window.polystore'],
      ),
    },
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/browser-host/bridge-client.ts'],
    rules: {
      'no-restricted-imports': forbid(['(^|/)(renderer|preload)/', 'hosts do not import the renderer or the preload']),
    },
  },
);
