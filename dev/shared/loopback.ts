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
const fromBrowser = (headers: Record<string, string | string[] | undefined>) =>
  headers.origin !== undefined || (headers['sec-fetch-site'] !== undefined && headers['sec-fetch-site'] !== 'none');

/** The name a request was sent to, from its Host header (`[::1]:3000` → `::1`). */
const hostnameOf = (host: string) =>
  host
    .replace(/:\d+$/, '')
    .replace(/^\[(.*)\]$/, '$1')
    .toLowerCase();

/**
 * Why a local server bound to `boundHost` refuses a request, if it does: a browser's request, or,
 * on loopback, one sent to a name that is not this machine's (a DNS-rebinding page).
 */
export function refusalOf(
  headers: Record<string, string | string[] | undefined>,
  boundHost: string,
): string | undefined {
  if (fromBrowser(headers)) return 'answers no browser requests';
  const name = hostnameOf(String(headers.host ?? ''));
  if (isLoopback(boundHost) && !isLoopback(name) && !name.endsWith('.localhost'))
    return `answers only requests sent to this machine, not to ${name || 'no host'}`;
  return undefined;
}
