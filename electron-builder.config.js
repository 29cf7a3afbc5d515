// electron-builder configuration for the macOS app (dmg + zip, Apple silicon and Intel).
// Signing and notarization are wired by the release workflow through the usual
// environment variables (CSC_LINK / CSC_KEY_PASSWORD, APPLE_API_KEY / APPLE_API_KEY_ID /
// APPLE_API_ISSUER); without them a local build is unsigned.

/** @type {import('electron-builder').Configuration} */
export default {
  appId: 'com.polystoreiq.desktop',
  productName: 'PolyStoreIQ',
  copyright: 'Copyright © 2026 PolyStoreIQ',
  directories: { output: 'release', buildResources: 'build-resources' },
  files: [
    'dist/electron/**',
    'dist/renderer/**',
    'package.json',
    '!**/*.map',
    '!**/{test,tests,__tests__,docs,example,examples}/**',
  ],
  // The sample data ("Try it with sample data") ships outside the asar: DuckDB reads the files by path.
  // Packaged, they are at <resources>/sample/chinook, which engine/sources/sample-data.ts looks for.
  // README.md: Help → PolyStoreIQ Documentation opens it.
  extraResources: [{ from: 'build-resources/sample', to: 'sample', filter: ['**/*'] }, { from: 'README.md', to: 'README.md' }],
  asar: true,
  // Native modules cannot be loaded from inside an asar archive.
  asarUnpack: ['**/*.node', 'node_modules/better-sqlite3/**', 'node_modules/keytar/**', 'node_modules/@duckdb/**'],
  // electron-builder rebuilds native dependencies for Electron's ABI and each target arch.
  npmRebuild: true,
  nodeGypRebuild: false,
  electronFuses: {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
  },
  mac: {
    category: 'public.app-category.developer-tools',
    target: [
      { target: 'dmg', arch: ['arm64', 'x64'] },
      { target: 'zip', arch: ['arm64', 'x64'] },
    ],
    hardenedRuntime: true,
    gatekeeperAssess: false,
    entitlements: 'build-resources/entitlements.mac.plist',
    entitlementsInherit: 'build-resources/entitlements.mac.plist',
    minimumSystemVersion: '12.0',
  },
  dmg: { sign: false },
};
