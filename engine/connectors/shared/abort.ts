import { CancelledError, type EngineError } from '../../errors';

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledError();
}

/**
 * Settles with `promise`, or rejects with CancelledError as soon as `signal`
 * aborts. A value that arrives after the abort goes to `onLate`, so a pooled
 * connection that was still being opened is handed back instead of leaking.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal, onLate?: (value: T) => void): Promise<T> {
  if (signal.aborted) {
    promise.then((value) => onLate?.(value), () => {});
    return Promise.reject(new CancelledError());
  }
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const onAbort = () => {
      if (done) return;
      done = true;
      reject(new CancelledError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (done) onLate?.(value);
        else {
          done = true;
          resolve(value);
        }
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (!done) {
          done = true;
          reject(error);
        }
      },
    );
  });
}

/**
 * Settles with `promise`, or rejects with `timeoutError()` once `ms` pass. A value that arrives later
 * goes to `onLate` (a pooled connection handed out after the wait ended goes back to the pool).
 */
export function raceDeadline<T>(promise: Promise<T>, ms: number, timeoutError: () => EngineError, onLate?: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      reject(timeoutError());
    }, ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        if (done) onLate?.(value);
        else {
          done = true;
          resolve(value);
        }
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (!done) {
          done = true;
          reject(error);
        }
      },
    );
  });
}
