import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import boundaries from 'eslint-plugin-boundaries';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'dist/', 'coverage/', 'bench/.data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Module boundaries (docs/architecture.md): the platform never imports a module, and a module
  // uses another only through that module's index.ts. Tests are held to the same rule.
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': [
        { type: 'platform', pattern: 'src/platform' },
        { type: 'module', pattern: 'src/modules/*', capture: ['name'] },
      ],
      'import/resolver': { node: { extensions: ['.ts', '.tsx', '.js'] } },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'allow',
          policies: [
            {
              from: { element: { type: 'platform' } },
              disallow: { to: { element: { type: 'module' } } },
              message: 'The platform never imports a module: read what modules contribute from the registry (platform.modules).',
            },
            {
              from: { element: { type: 'module' } },
              disallow: { to: { element: { type: 'module', fileInternalPath: '!index.ts' } } },
              message: 'A module uses another module only through its index.ts.',
            },
            // Supervision watches every module through the supervised-subject registry and imports none.
            {
              from: { element: { type: 'module', captured: { name: 'supervision' } } },
              disallow: { to: { element: { type: 'module' } } },
              message: 'Supervision reads supervised subjects from the registry and imports no module.',
            },
          ],
        },
      ],
    },
  },
);
