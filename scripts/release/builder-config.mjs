// electron-builder configuration as a function of the environment, so the rules are tested here
// (test/unit/scripts/builder-config.test.ts) and electron-builder.config.js stays one line.
//
// Two kinds of build, never mixed up:
// - development (default): unsigned on purpose, not notarized, no update feed. It says so.
// - release (POLYSTORE_RELEASE=1, set by .github/workflows/release.yml): signed with the Developer ID
//   certificate (CSC_LINK / CSC_KEY_PASSWORD), notarized with an App Store Connect API key
//   (APPLE_API_KEY = path to the .p8, APPLE_API_KEY_ID, APPLE_API_ISSUER), DMG signed too, and the
//   GitHub update feed written into the app. Missing credentials fail the build loudly, by name;
//   their values are never printed.

export const RELEASE_CREDENTIALS = ['CSC_LINK', 'CSC_KEY_PASSWORD', 'APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER'];

export class ReleaseConfigError extends Error {}

/** The GitHub repository releases and the update feed live in (owner/name). */
export const DEFAULT_REPOSITORY = 'polystoreiq/polystoreiq';

export function isReleaseBuild(env) {
  return env.POLYSTORE_RELEASE === '1';
}

/**
 * Per-architecture targets (arm64 and x64), not universal: each architecture is built, rebuilt for
 * Electron's ABI and smoke-tested on a runner of its own kind, the downloads are half the size of a
 * universal app, and electron-updater picks the right zip from the merged feed.
 */
export function macTargets(arch) {
  const archs = arch ? [arch] : ['arm64', 'x64'];
  return [
    { target: 'dmg', arch: archs },
    { target: 'zip', arch: archs },
  ];
}

export function builderConfig(env = process.env) {
  const release = isReleaseBuild(env);
  if (release) {
    const missing = RELEASE_CREDENTIALS.filter((name) => !env[name]);
    if (missing.length) throw new ReleaseConfigError(`A release build needs ${missing.join(', ')} in the environment (repository secrets); refusing to produce an unsigned or un-notarized release.`);
  } else if (!env.POLYSTORE_QUIET_BUILD) {
    console.warn('PolyStoreIQ: development build, unsigned and not notarized on purpose (set POLYSTORE_RELEASE=1 with the signing secrets for a release).');
  }
  const arch = env.POLYSTORE_ARCH === 'arm64' || env.POLYSTORE_ARCH === 'x64' ? env.POLYSTORE_ARCH : null;
  const [owner, repo] = (env.POLYSTORE_RELEASE_REPOSITORY || DEFAULT_REPOSITORY).split('/');

  return {
    appId: 'com.polystoreiq.desktop',
    productName: 'PolyStoreIQ',
    copyright: 'Copyright © 2026 PolyStoreIQ',
    directories: { output: 'release', buildResources: 'build-resources' },
    files: ['dist/electron/**', 'dist/renderer/**', 'package.json', '!**/*.map', '!**/{test,tests,__tests__,docs,example,examples}/**'],
    extraResources: [
      // The sample data ("Try it with sample data") ships outside the asar: DuckDB reads the files by path.
      // Packaged, they are at <resources>/sample/chinook, which engine/sources/sample-data.ts looks for.
      { from: 'build-resources/sample', to: 'sample', filter: ['**/*'] },
      // Help > Documentation opens it (main/electron/main.ts).
      { from: 'README.md', to: 'README.md' },
    ],
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
      target: macTargets(arch),
      hardenedRuntime: true,
      gatekeeperAssess: false,
      entitlements: 'build-resources/entitlements.mac.plist',
      entitlementsInherit: 'build-resources/entitlements.mac.plist',
      minimumSystemVersion: '12.0',
      // null: do not look for a signing identity at all (a development build is unsigned on purpose).
      identity: release ? undefined : null,
      notarize: release,
      // latest-mac.yml and beta-mac.yml: stable installs never see a beta.
      generateUpdatesFilesForAllChannels: true,
    },
    dmg: { sign: release },
    // The feed the packaged app checks (written into app-update.yml). Uploading is the release job's
    // (it merges the per-architecture feeds first), so electron-builder itself never publishes.
    publish: release ? [{ provider: 'github', owner, repo, releaseType: 'draft' }] : null,
  };
}
