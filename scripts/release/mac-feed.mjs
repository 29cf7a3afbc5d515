#!/usr/bin/env node
// The macOS update feed (latest-mac.yml / beta-mac.yml) for a release built per architecture.
//
//   node scripts/release/mac-feed.mjs merge <arm64.yml> <x64.yml> --out <latest-mac.yml>
//   node scripts/release/mac-feed.mjs stage <latest-mac.yml> <percent>
//
// Each architecture is built and smoke-tested on its own macOS runner, so each job's
// electron-builder writes a latest-mac.yml naming only its own files. electron-updater
// reads one file per channel and picks the zip for the Mac's architecture from `files`,
// so the release job merges them. `stage` sets stagingPercentage for a staged rollout
// (0-100; 100 removes the key: everyone gets it).
import fs from 'node:fs';
import yaml from 'js-yaml';

export class FeedError extends Error {}

/** Reads a feed file as electron-builder writes it, checking the fields electron-updater relies on. */
export function readFeed(text, name = 'feed') {
  const feed = yaml.load(text);
  if (!feed || typeof feed !== 'object') throw new FeedError(`${name}: not a YAML mapping`);
  if (typeof feed.version !== 'string' || !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(feed.version)) throw new FeedError(`${name}: version missing or not semver`);
  if (!Array.isArray(feed.files) || feed.files.length === 0) throw new FeedError(`${name}: no files`);
  for (const f of feed.files) {
    if (typeof f.url !== 'string' || typeof f.sha512 !== 'string' || !/^[A-Za-z0-9+/]{86}==$/.test(f.sha512)) throw new FeedError(`${name}: file ${f.url ?? '?'} lacks a url or a sha512`);
  }
  return feed;
}

/** One feed naming every architecture's files; the versions must agree. */
export function mergeFeeds(feeds) {
  const [first, ...rest] = feeds;
  if (!first) throw new FeedError('nothing to merge');
  for (const f of rest) if (f.version !== first.version) throw new FeedError(`versions differ: ${first.version} and ${f.version}`);
  const files = [];
  for (const f of feeds) for (const file of f.files) if (!files.some((x) => x.url === file.url)) files.push(file);
  // `path`/`sha512` at the top are the legacy single-file fields; older updaters read them. Keep the first zip (arm64 first, the newer Macs).
  const legacy = files.find((f) => f.url.endsWith('.zip')) ?? files[0];
  const releaseDate = feeds.map((f) => f.releaseDate).filter(Boolean).sort().at(-1);
  const merged = { version: first.version, files, path: legacy.url, sha512: legacy.sha512 };
  if (releaseDate) merged.releaseDate = releaseDate;
  if (first.releaseNotes) merged.releaseNotes = first.releaseNotes;
  return merged;
}

export function stageFeed(feed, percent) {
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new FeedError('the rollout percentage is a whole number from 0 to 100');
  const staged = { ...feed };
  if (percent === 100) delete staged.stagingPercentage;
  else staged.stagingPercentage = percent;
  return staged;
}

export function writeFeed(feed) {
  return yaml.dump(feed, { lineWidth: -1, noRefs: true });
}

function main(argv) {
  const [command, ...args] = argv;
  if (command === 'merge') {
    const out = args.indexOf('--out');
    if (out < 0 || !args[out + 1]) throw new FeedError('merge needs --out <file>');
    const inputs = args.filter((_, i) => i !== out && i !== out + 1);
    const merged = mergeFeeds(inputs.map((file) => readFeed(fs.readFileSync(file, 'utf8'), file)));
    fs.writeFileSync(args[out + 1], writeFeed(merged));
    console.log(`${args[out + 1]}: ${merged.version}, ${merged.files.length} files`);
  } else if (command === 'stage') {
    const [file, percent] = args;
    if (!file) throw new FeedError('stage needs a feed file and a percentage');
    const staged = stageFeed(readFeed(fs.readFileSync(file, 'utf8'), file), Number(percent));
    fs.writeFileSync(file, writeFeed(staged));
    console.log(`${file}: ${staged.version} to ${staged.stagingPercentage ?? 100}% of installs`);
  } else {
    throw new FeedError('usage: mac-feed.mjs merge <a.yml> <b.yml> --out <file> | stage <file> <percent>');
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${fs.realpathSync(process.argv[1])}`).href) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error(`mac-feed: ${error.message}`);
    process.exit(1);
  }
}
