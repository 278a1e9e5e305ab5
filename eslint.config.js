// ESLint (flat config): type-aware rules that catch promises nobody waits for. The formatter is Prettier.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'packer/', 'terraform/', 'bench/', 'scripts/', 'examples/', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['vitest.config.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise that is neither awaited nor handled loses its error (an unhandled rejection ends the CLI).
      '@typescript-eslint/no-floating-promises': 'error',
      // An async function where a void callback is expected (event handlers, forEach) runs unawaited.
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
);
