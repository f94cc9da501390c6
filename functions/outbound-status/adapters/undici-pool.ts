/**
 * undici's Pool and its `request` API, taken from the modules that define them. undici's index
 * loads all of undici (fetch, WebSocket, caches, mocks, proxies) and attaches `request` to every
 * dispatcher; this function needs one pool: a fraction of undici's code (docs/performance.md).
 * undici is pinned to an exact version, so these paths cannot move under a deployed bundle.
 */
import type { Dispatcher, Pool as UndiciPool } from 'undici';
import requestOn from 'undici/lib/api/api-request.js';
import PoolClass from 'undici/lib/dispatcher/pool.js';

export type PoolOptions = UndiciPool.Options;
export type RequestOptions = Omit<Dispatcher.RequestOptions, 'origin'>;
export type ResponseData = Dispatcher.ResponseData;

export interface ConnectionPool {
  request(options: RequestOptions): Promise<ResponseData>;
  close(): Promise<void>;
}

export function createPool(origin: string, options: PoolOptions): ConnectionPool {
  const pool = new PoolClass(origin, options);
  return {
    request: (options) => requestOn.call(pool, options as Dispatcher.RequestOptions),
    close: () => pool.close(),
  };
}
