import type { ApiOf } from '../../../engine/contract/api';
import type { RendererChannel } from '../../../engine/contract/renderer-channels';
import type { ApiError, Result } from '../../../engine/contract/errors';

/** What both hosts give the page: the channels it uses (engine/contract/renderer-channels.ts), no more. */
export type PolystoreApi = ApiOf<RendererChannel>;

declare global {
  interface Window {
    readonly polystore?: PolystoreApi;
  }
}

/**
 * The only way the renderer reaches the engine. Both hosts define
 * window.polystore before the app script runs; if neither did, the app shows
 * a clear error instead of a blank page.
 */
export function getApi(): PolystoreApi | null {
  return window.polystore ?? null;
}

export function requireApi(): PolystoreApi {
  const api = getApi();
  if (!api) throw new Error('window.polystore is missing: the app was opened outside its host.');
  return api;
}

export type { ApiError, Result };

/** Unwraps a result, turning failures into a thrown ApiFailure that keeps the code. */
export class ApiFailure extends Error {
  readonly error: ApiError;
  constructor(error: ApiError) {
    super(error.message);
    this.error = error;
  }
}

export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const result = await call;
  if (!result.ok) throw new ApiFailure(result.error);
  return result.value;
}
