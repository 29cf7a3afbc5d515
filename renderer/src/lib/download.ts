/** The last download's URL, released on the next one (a page may start several). */
let lastUrl: string | null = null;

/** Saves a file the way the host does downloads: the browser's download, Electron's save dialog. */
export function downloadBlob(blob: Blob, fileName: string): void {
  if (lastUrl) URL.revokeObjectURL(lastUrl);
  lastUrl = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = lastUrl;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
}
