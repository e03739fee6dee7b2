import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import checkFile from 'eslint-plugin-check-file';
import prettier from 'eslint-config-prettier';

/**
 * One file-naming scheme: kebab-case; a dotted suffix names a Nest building block's role, as in
 * Nest's own samples (`realtime.gateway.ts`, `answer.service.ts`), then `.spec` / `.e2e-spec` for tests, `.d` for declarations.
 */
const ROLES = 'module|controller|gateway|service|guard|pipe|filter|dto|adapter|health|config|types';
const FILE_NAME = `+([a-z0-9])*(-+([a-z0-9]))?(.@(${ROLES}))?(.@(spec|e2e-spec|d))`;

export default tseslint.config(
  { ignores: ['dist/**', 'client/dist/**', 'node_modules/**', 'coverage/**', 'test-output/**'] },
  js.configs.recommended,
  // Type-aware rules: floating promises, unsafe `any`, template literals of objects, … need the types.
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.jest },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // An async method that keeps a Promise contract without awaiting (the in-memory store) is fine.
      '@typescript-eslint/require-await': 'off',
      'no-console': 'off',
    },
  },
  {
    // Jest's asymmetric matchers (expect.any, expect.stringMatching, …) are typed `any`.
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off', '@typescript-eslint/no-unsafe-argument': 'off' },
  },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts', 'client/**/*.ts'],
    plugins: { 'check-file': checkFile },
    rules: { 'check-file/filename-naming-convention': ['error', { '**/*.ts': FILE_NAME }, { ignoreMiddleExtensions: false }] },
  },
  {
    // The demo page: a browser ES module (it imports the client library from /client/), no build step.
    files: ['public/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'module' },
  },
  // Layout is prettier's (npm run format): no ESLint rule may disagree with it.
  prettier,
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
);
