import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import checkFile from 'eslint-plugin-check-file';

/**
 * One file-naming scheme: kebab-case; a dotted suffix names a Nest building block's role, as in
 * Nest's own samples (`realtime.gateway.ts`, `answer.service.ts`), then `.spec` / `.e2e-spec` for tests.
 */
const ROLES = 'module|controller|gateway|service|guard|pipe|filter|dto|adapter|health|config|types';
const FILE_NAME = `+([a-z0-9])*(-+([a-z0-9]))?(.@(${ROLES}))?(.@(spec|e2e-spec))`;

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test-output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts'],
    plugins: { 'check-file': checkFile },
    rules: { 'check-file/filename-naming-convention': ['error', { '**/*.ts': FILE_NAME }, { ignoreMiddleExtensions: false }] },
  },
  {
    // The demo page: a plain browser script, no modules.
    files: ['public/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'script' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
