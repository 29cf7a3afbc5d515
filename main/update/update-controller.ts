/**
 * The auto-update policy, apart from Electron so it is tested here: which feed
 * channel to follow, when to check, and when a downloaded update may restart
 * the app (never while a query runs). main/electron/updater.ts hands it
 * electron-updater's `autoUpdater`; tests hand it the same public surface.
 *
 * Staged rollout is electron-updater's own: a release's `stagingPercentage` in
 * latest-mac.yml is compared with a per-install random id, so an install
 * outside the rollout simply sees no update yet.
 */

export type UpdateChannel = 'stable' | 'beta';
export const UPDATE_CHANNELS: readonly UpdateChannel[] = ['stable', 'beta'];

/** Often enough that a pulled release stops spreading within hours; rare enough to cost nothing. */
export const UPDATE_CHECK_INTERVAL_MS = 4 * 60 * 60 * 1000;
/** How often a downloaded update looks again for the moment no query is running. */
export const IDLE_POLL_MS = 5_000;

/** The part of electron-updater's AppUpdater this policy uses (its public API). */
export interface UpdaterLike {
  channel: string | null;
  allowPrerelease: boolean;
  allowDowngrade: boolean;
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  on(event: 'update-available' | 'update-downloaded', listener: (info: UpdateInfoLike) => void): unknown;
  on(event: 'update-not-available', listener: (info: UpdateInfoLike) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'download-progress', listener: (progress: { percent: number }) => void): unknown;
}

export interface UpdateInfoLike {
  version: string;
  releaseName?: string | null;
  releaseNotes?: string | Array<{ version: string; note: string | null }> | null;
  releaseDate?: string;
}

/**
 * Stable follows `latest-mac.yml` and never goes back a version. Beta follows
 * `beta-mac.yml` (electron-builder writes a file per channel) and allows a
 * downgrade: pulling a bad beta is publishing the last good build on the beta
 * channel, and beta installs step back to it.
 */
export function feedSettings(channel: UpdateChannel): Pick<UpdaterLike, 'channel' | 'allowPrerelease' | 'allowDowngrade'> {
  return channel === 'beta'
    ? { channel: 'beta', allowPrerelease: true, allowDowngrade: true }
    : { channel: 'latest', allowPrerelease: false, allowDowngrade: false };
}

/** Release notes as plain text for the restart prompt (GitHub sends HTML; electron-updater may send a list per version). */
export function releaseNotesText(info: UpdateInfoLike): string {
  const notes = info.releaseNotes;
  const raw = Array.isArray(notes) ? notes.map((n) => `${n.version}\n${n.note ?? ''}`).join('\n\n') : (notes ?? '');
  return raw
    .replace(/<\s*(br|\/p|\/li|\/h\d)\s*\/?>/gi, '\n')
    .replace(/<li[^>]*>/gi, '• ')
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export type UpdateState =
  | { kind: 'idle' }
  | { kind: 'checking' }
  | { kind: 'downloading'; version: string; percent: number }
  | { kind: 'ready'; version: string; waitingForQueries: boolean }
  | { kind: 'restarting'; version: string }
  | { kind: 'error'; message: string };

export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface UpdateControllerOptions {
  updater: UpdaterLike;
  channel: () => UpdateChannel;
  /** True while any query runs: a restart then would cut it off. */
  isBusy: () => boolean;
  /** Asks the user to restart now; resolves true to restart. */
  askToRestart: (info: { version: string; notes: string }) => Promise<boolean>;
  timers?: Timers;
  log?: (message: string) => void;
  onState?: (state: UpdateState) => void;
}

const realTimers: Timers = {
  setInterval: (fn, ms) => {
    const handle = setInterval(fn, ms);
    handle.unref();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

export class UpdateController {
  readonly #o: UpdateControllerOptions;
  readonly #timers: Timers;
  #state: UpdateState = { kind: 'idle' };
  #checkTimer: unknown = null;
  #idleTimer: unknown = null;
  #downloaded: UpdateInfoLike | null = null;
  /** The user said yes; the restart waits for the running queries. */
  #restartAccepted = false;
  #asking = false;
  #stopped = false;

  constructor(options: UpdateControllerOptions) {
    this.#o = options;
    this.#timers = options.timers ?? realTimers;
    const u = options.updater;
    // Downloads happen in the background; installing waits for the user (or the next quit).
    u.autoDownload = true;
    u.autoInstallOnAppQuit = true;
    u.on('update-available', (info) => this.#set({ kind: 'downloading', version: info.version, percent: 0 }));
    u.on('download-progress', (p) => {
      if (this.#state.kind === 'downloading') this.#set({ ...this.#state, percent: Math.round(p.percent) });
    });
    u.on('update-not-available', () => this.#set({ kind: 'idle' }));
    u.on('update-downloaded', (info) => this.#onDownloaded(info));
    u.on('error', (error) => {
      this.#log(`update failed: ${error.message}`);
      // A failed check or download leaves a downloaded update (if any) in place; the next check tries again.
      if (!this.#downloaded) this.#set({ kind: 'error', message: error.message });
    });
  }

  get state(): UpdateState {
    return this.#state;
  }

  /** Checks now and every UPDATE_CHECK_INTERVAL_MS. */
  start(): void {
    this.#applyChannel();
    void this.check();
    this.#checkTimer = this.#timers.setInterval(() => void this.check(), UPDATE_CHECK_INTERVAL_MS);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#checkTimer !== null) this.#timers.clearInterval(this.#checkTimer);
    if (this.#idleTimer !== null) this.#timers.clearInterval(this.#idleTimer);
    this.#checkTimer = this.#idleTimer = null;
  }

  /** The channel setting changed: follow the new feed at once. */
  channelChanged(): void {
    this.#applyChannel();
    void this.check();
  }

  async check(): Promise<void> {
    if (this.#stopped || this.#downloaded) return;
    // The channel is a setting the user may change at any time: each check follows the current one.
    this.#applyChannel();
    this.#set({ kind: 'checking' });
    try {
      const result = (await this.#o.updater.checkForUpdates()) as { downloadPromise?: Promise<unknown> | null } | null;
      // With autoDownload the download runs on; its failure is also emitted as 'error', but the promise
      // electron-updater returns would reject unhandled, which ends a Node (and an Electron main) process.
      result?.downloadPromise?.catch((error: unknown) => this.#log(`update download failed: ${error instanceof Error ? error.message : String(error)}`));
    } catch (error) {
      // electron-updater also emits 'error'; this catch only keeps the rejection from going unhandled.
      this.#log(`update check failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #applyChannel(): void {
    Object.assign(this.#o.updater, feedSettings(this.#o.channel()));
  }

  #onDownloaded(info: UpdateInfoLike): void {
    this.#downloaded = info;
    this.#set({ kind: 'ready', version: info.version, waitingForQueries: false });
    void this.#offerRestart();
  }

  async #offerRestart(): Promise<void> {
    const info = this.#downloaded;
    if (!info || this.#asking || this.#restartAccepted) return;
    this.#asking = true;
    try {
      const yes = await this.#o.askToRestart({ version: info.version, notes: releaseNotesText(info) });
      // "Later": the update installs when the app quits (autoInstallOnAppQuit).
      if (yes) {
        this.#restartAccepted = true;
        this.#restartWhenIdle();
      }
    } finally {
      this.#asking = false;
    }
  }

  #restartWhenIdle(): void {
    const info = this.#downloaded!;
    if (!this.#o.isBusy()) {
      if (this.#idleTimer !== null) this.#timers.clearInterval(this.#idleTimer);
      this.#idleTimer = null;
      this.#set({ kind: 'restarting', version: info.version });
      this.#o.updater.quitAndInstall(false, true);
      return;
    }
    this.#set({ kind: 'ready', version: info.version, waitingForQueries: true });
    this.#idleTimer ??= this.#timers.setInterval(() => this.#restartWhenIdle(), IDLE_POLL_MS);
  }

  #set(state: UpdateState): void {
    this.#state = state;
    this.#o.onState?.(state);
  }

  #log(message: string): void {
    this.#o.log?.(message);
  }
}
