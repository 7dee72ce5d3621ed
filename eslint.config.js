import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * `npm run lint`: ESLint's and typescript-eslint's recommended rules over every script and source of the
 * repository; layout is prettier's (`.prettierrc.json`), so eslint-config-prettier turns off the rules
 * that would argue with it. Boundaries are dependency-cruiser's (`.dependency-cruiser.cjs`).
 */
export default defineConfig(
  { ignores: ['dist/', 'node_modules/', '.tools/', '.tmp/', 'coverage/', 'data/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  { files: ['**/*.spec.ts', 'test/**/*.ts'], languageOptions: { globals: { ...globals.jest } } },
  {
    // `any` is deliberate where the code repeats the framework's own signatures (overrides of NestJS's
    // Server methods), keeps operations of different request and reply types in one list
    // (`Operation<any, any>`), or walks JSON documents of any shape (OpenAPI, schemas, test bodies).
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // A module's own code has none of those reasons.
    files: ['src/modules/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
  {
    // CommonJS on purpose (jest's configuration and what it loads, dependency-cruiser's): require is their import.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
  {
    // After eslint-config-prettier, which turns it off: prettier wraps code at 140 columns but leaves long
    // strings and comments as they are, so one line length holds for those too.
    rules: { 'max-len': ['error', { code: 140, tabWidth: 2, ignoreUrls: true }] },
  },
);
