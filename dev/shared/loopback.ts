import type { AddressInfo } from 'node:net';

/** Addresses that only this machine reaches. */
export const isLoopback = (host: string) => /^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(host);

/** The origin to print for a server: one on every interface is reached on loopback from this machine. */
export function reachableOrigin(address: AddressInfo): string {
  if (address.address === '0.0.0.0' || address.address === '::') return `http://127.0.0.1:${address.port}`;
  return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
}

/**
 * What a web page can send to a server on this machine: a request with an Origin or Fetch
 * Metadata header, which browsers add and the AWS CLI and SDKs never do. A page could otherwise
 * post a form, with no preflight, to a local endpoint whose address is predictable.
 */
export const fromBrowser = (headers: Record<string, string | string[] | undefined>) =>
  headers.origin !== undefined || (headers['sec-fetch-site'] !== undefined && headers['sec-fetch-site'] !== 'none');
