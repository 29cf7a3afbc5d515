import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { configureRequestOptions, configureRequestUrl, HttpExecutor, type DownloadOptions } from 'builder-util-runtime';
import { AppUpdater } from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter';
import type { DownloadExecutorResult, DownloadUpdateOptions } from 'electron-updater/out/AppUpdater';

/**
 * electron-updater's real AppUpdater, run under Node against a local feed:
 * the feed parsing, channel files, staged-rollout decision, downgrade rule,
 * download and sha512 check are the library's own. Only what needs Electron is
 * replaced: the app adapter (version, folders), the HTTP client (Node's
 * instead of Electron's net), and installing (Squirrel.Mac exists only on a Mac).
 */
class NodeHttpExecutor extends HttpExecutor<http.ClientRequest> {
  createRequest(options: http.RequestOptions, callback: (response: http.IncomingMessage) => void): http.ClientRequest {
    return http.request(options, callback);
  }

  /** As electron-updater's own executor downloads: HttpExecutor.doDownload checks the sha512 the feed names. */
  download(url: URL, destination: string, options: DownloadOptions): Promise<string> {
    return new Promise((resolve, reject) => {
      const requestOptions: http.RequestOptions = { headers: options.headers ?? undefined };
      configureRequestUrl(url, requestOptions);
      configureRequestOptions(requestOptions);
      this.doDownload(
        requestOptions,
        { destination, options, onCancel: () => {}, callback: (error) => (error ? reject(error) : resolve(destination)), responseHandler: null },
        0,
      );
    });
  }
}

/** The zips for one architecture, as MacUpdater chooses them: arm64 builds are named *-arm64-mac.zip. */
function forArch<T extends { url: URL }>(files: T[], arm64: boolean): T[] {
  return files.filter((f) => f.url.pathname.includes('arm64') === arm64);
}

export class DryRunUpdater extends AppUpdater {
  constructor(options: { version: string; userDataPath: string; cachePath: string; feedUrl: string; arm64?: boolean }) {
    const app: AppAdapter = {
      version: options.version,
      name: 'PolyStoreIQ',
      isPackaged: true,
      appUpdateConfigPath: path.join(options.userDataPath, 'app-update.yml'),
      userDataPath: options.userDataPath,
      baseCachePath: options.cachePath,
      whenReady: () => Promise.resolve(),
      relaunch: () => {},
      quit: () => {},
      onQuit: () => {},
    };
    // What electron-builder writes into a packaged app's resources from the `publish` setting.
    fs.mkdirSync(options.userDataPath, { recursive: true });
    fs.writeFileSync(app.appUpdateConfigPath, `provider: generic\nurl: ${options.feedUrl}\nupdaterCacheDirName: polystoreiq-updater\n`);
    super(null, app);
    this.logger = null;
    (this as unknown as { httpExecutor: HttpExecutor<http.ClientRequest> }).httpExecutor = new NodeHttpExecutor();
    // Read the macOS feed files (latest-mac.yml, beta-mac.yml) whatever this machine is.
    (this as unknown as { _testOnlyOptions: { platform: 'darwin' } })._testOnlyOptions = { platform: 'darwin' };
    this.setFeedURL({ provider: 'generic', url: options.feedUrl });
    this.#arm64 = options.arm64 ?? true;
  }

  readonly #arm64: boolean;
  /** Where the verified download landed. */
  downloadedFile: string | null = null;

  protected async doDownloadUpdate(downloadUpdateOptions: DownloadUpdateOptions): Promise<DownloadExecutorResult> {
    const { provider, info } = downloadUpdateOptions.updateInfoAndProvider;
    const files = forArch(provider.resolveFiles(info), this.#arm64);
    const zip = files.find((f) => f.url.pathname.endsWith('.zip'));
    if (!zip) throw new Error('no zip for this architecture in the feed');
    return this.executeDownload({
      fileExtension: 'zip',
      fileInfo: zip,
      downloadUpdateOptions,
      task: (destination, downloadOptions: DownloadOptions) =>
        (this as unknown as { httpExecutor: NodeHttpExecutor }).httpExecutor.download(zip.url, destination, downloadOptions),
      // MacUpdater hands the verified zip to Squirrel.Mac here; the dry run reports it downloaded.
      done: async (event) => {
        this.downloadedFile = event.downloadedFile;
        this.dispatchUpdateDownloaded(event);
        return [];
      },
    });
  }

  quitAndInstall(): void {
    throw new Error('installing needs Squirrel.Mac: a dry run stops at a verified download');
  }
}

export interface BuiltZip {
  url: string;
  sha512: string;
  size: number;
}

/** A release artefact as electron-builder lists it: name, base64 sha512, size. */
export function writeZip(dir: string, name: string, content: Buffer): BuiltZip {
  fs.writeFileSync(path.join(dir, name), content);
  return { url: name, sha512: crypto.createHash('sha512').update(content).digest('base64'), size: content.length };
}

/** Serves a folder over HTTP on 127.0.0.1, as a release server would. */
export async function serveFolder(dir: string): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
    requests.push(name);
    const file = path.join(dir, path.basename(name));
    if (!fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const body = fs.readFileSync(file);
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
