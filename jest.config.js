// Unit specs live beside the code; end-to-end suites live in test/.
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
    },
  ],
};

// dify-client (the official Dify SDK, used by a spec) ships ES modules only: compiled to CommonJS like our own code.
const esmOnly = {
  '/node_modules/dify-client/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
};

module.exports = {
  // The e2e suites run real servers and sockets: a slow CI machine gets room, a hang still fails.
  testTimeout: 20_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/scripts/**/*.spec.ts', '<rootDir>/client/src/**/*.spec.ts'],
      setupFiles: ['<rootDir>/test/support/quiet-nest-logger.ts'],
      transform: { ...transform, ...esmOnly },
      transformIgnorePatterns: ['/node_modules/(?!dify-client/)'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/build-client.ts',
      setupFiles: ['<rootDir>/test/support/quiet-nest-logger.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/contract-check.ts', '<rootDir>/test/support/close-leftovers.ts'],
      transform,
    },
  ],
};
