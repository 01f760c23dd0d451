/**
 * Layer rules (HOUSE-STYLE "Dependency rule"): domain ← application ← infrastructure / projections.
 * `npm run lint` fails on any violation.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain imports nothing but itself and decimal.js (no I/O, no framework, no clock).',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: ['^src/domain/', '^node_modules/decimal\\.js/', '^node_modules/currency-codes/'] },
    },
    {
      name: 'application-not-to-infrastructure',
      comment: 'src/application depends on ports, never on adapters.',
      severity: 'error',
      from: { path: '^src/application/' },
      to: { path: ['^src/infrastructure/', '^src/projections/'] },
    },
    {
      name: 'projections-not-to-infrastructure',
      comment: 'Projections use ports; only the composition root knows the adapters.',
      severity: 'error',
      from: { path: '^src/projections/' },
      to: { path: '^src/infrastructure/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
