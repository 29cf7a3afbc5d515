// electron-builder configuration for the macOS app (dmg + zip, Apple silicon and Intel).
// The rules (development vs signed and notarized release, the update feed) live in
// scripts/release/builder-config.mjs, where they are tested; docs/release.md explains them.
import { builderConfig } from './scripts/release/builder-config.mjs';

/** @type {import('electron-builder').Configuration} */
export default builderConfig(process.env);
