// Lint rules that keep the architecture honest (see ../shared/STYLE.md):
// the engine never imports the application, each third-party library with a
// native or protocol surface lives behind exactly one module, and engine code
// takes time from an injected Clock instead of reading the wall clock.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Library → the only files allowed to import it. */
const owners = {
  kafkajs: ['src/streams/kafka/**'],
  'classic-level': ['src/streams/state/internal/level-db.ts'],
  'onnxruntime-node': ['src/fraud/model/onnx-scorer.ts'],
  'prom-client': ['src/metrics/**'],
  '@kafkajs/confluent-schema-registry': ['src/registry/schema-registry.ts'],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'coverage/**', '.vigil/**', 'bench/kstreams/target/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // ESLint's flat config keeps only the last `no-restricted-imports` that
  // matches a file, so the per-library rules are merged per file set below.
  ...importBoundaries(),
  {
    files: ['src/streams/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'The engine takes time from an injected Clock (src/streams/time), never Date.now().',
        },
      ],
    },
  },
  {
    files: ['src/streams/time/**/*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);

/**
 * Flat config lets a later `no-restricted-imports` replace an earlier one for
 * the same file, so we compute, for each distinct set of owner exemptions,
 * one block that lists every library the file may not import, plus the
 * engine boundary for src/streams.
 */
function importBoundaries() {
  const engineBoundary = {
    group: [
      '**/fraud/**', '**/webhook/**', '**/dashboard/**', '**/metrics/**', '**/cluster/**', '**/cli.js',
      '../fraud', '../webhook', '../dashboard', '../metrics', '../cluster',
    ],
    message: 'src/streams is a library: it must not import the application.',
  };
  // The application and the examples use the engine as a package would: through its
  // entry points only (package.json "exports": vigil/streams, vigil/streams/testing,
  // vigil/kafka). Tests and benchmarks may reach inside.
  const appBoundary = {
    regex: '^(?!vigil/)(.*/)?streams/(?!(index|testing/index|kafka/index)\\.js$)',
    message: 'Import the engine through its entry points: src/streams/index.js, src/streams/testing/index.js or src/streams/kafka/index.js.',
  };
  const appFiles = ['src/**/*.ts', 'examples/**/*.ts'];
  const isApp = (pattern) => !pattern.startsWith('src/streams/') && (pattern.startsWith('src/') || pattern.startsWith('examples/'));
  const ownerFiles = Object.values(owners).flat();
  const restrictedFor = (file) =>
    Object.entries(owners)
      .filter(([, files]) => !files.includes(file))
      .map(([lib, files]) => ({ name: lib, message: `${lib} may only be imported by ${files.join(', ')}.` }));
  const all = restrictedFor(null);
  const result = [
    {
      files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts'],
      rules: { 'no-restricted-imports': ['error', { paths: all }] },
    },
    {
      files: appFiles,
      rules: { 'no-restricted-imports': ['error', { paths: all, patterns: [appBoundary] }] },
    },
    {
      files: ['src/streams/**/*.ts'],
      rules: { 'no-restricted-imports': ['error', { paths: all, patterns: [engineBoundary] }] },
    },
  ];
  for (const pattern of ownerFiles) {
    const inEngine = pattern.startsWith('src/streams/');
    result.push({
      files: [pattern.endsWith('**') ? `${pattern}/*.ts` : pattern],
      rules: {
        'no-restricted-imports': [
          'error',
          inEngine
            ? { paths: restrictedFor(pattern), patterns: [engineBoundary] }
            : isApp(pattern)
              ? { paths: restrictedFor(pattern), patterns: [appBoundary] }
              : { paths: restrictedFor(pattern) },
        ],
      },
    });
  }
  return result;
}
