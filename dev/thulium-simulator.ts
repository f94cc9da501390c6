/**
 * A Thulium tenant on loopback, as the vendor documents POST /api/outbound_status_by_phone_number:
 * HTTP Basic, campaigns whose records have a main and additional numbers, dictionary statuses
 * mapped per campaign, only main numbers matched, Thulium's error envelope. Faults can be injected.
 *
 *   node dev/thulium-simulator.ts            # serves the sample tenant on http://127.0.0.1:3001
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { readBody } from './shared/read-body.ts';
import { pick, seededRandom } from './shared/seeded-random.ts';

export const SIMULATOR_PATH = '/api/outbound_status_by_phone_number';

export interface CampaignRecord {
  mainNumber: string;
  additionalNumbers: string[];
  statusId: number | null;
}

export interface Campaign {
  id: string;
  /** Dictionary statuses this campaign uses; a status outside this list cannot be set on its records. */
  statusIds: number[];
  records: CampaignRecord[];
}

export interface Tenant {
  users: Record<string, string>;
  statuses: Record<number, string>;
  campaigns: Campaign[];
}

export type Fault =
  | { type: 'status'; status: number; body?: string; headers?: Record<string, string> }
  | { type: 'rate-limit'; retryAfterSeconds: number }
  | { type: 'reset' }
  | { type: 'hang' }
  | { type: 'garbage' }
  | { type: 'delay'; ms: number };

export interface RecordedCall {
  requestId: string;
  /** When the request arrived (epoch ms). */
  at: number;
  contentType: string | undefined;
  username: string | undefined;
  body: string;
  status: number | 'reset' | 'hang';
}

/** An update Thulium applied: what a caller would find in the tenant afterwards. */
export interface AppliedUpdate {
  phoneNumber: string;
  statusId: number;
}

/** Faults drawn at random for a share of the requests, replayable from the seed. */
export interface RandomFaults {
  /** Share of requests that meet a fault, 0–1. */
  rate: number;
  seed: number;
  faults: Fault[];
}

export interface SimulatorOptions {
  port?: number;
  host?: string;
  tenant?: Tenant;
  /** Added before every answer, to play a distant tenant. */
  latencyMs?: number;
}

/**
 * A tenant's API limit as a token bucket: `callsPerSecond` tokens a second, holding at most one
 * second's worth (at least one call); a call that finds it empty is answered 429 with `Retry-After: 1`.
 */
export interface RateLimit {
  callsPerSecond: number;
}

export function sampleTenant(): Tenant {
  return {
    users: { api_user: 'api_pass' },
    statuses: { 1: 'New', 3: 'Call back', 8: 'Not interested', 12: 'Sale' },
    campaigns: [
      {
        id: '00001',
        statusIds: [1, 3, 8],
        records: [
          { mainNumber: '111222333', additionalNumbers: [], statusId: 1 },
          { mainNumber: '333444555', additionalNumbers: ['777888999'], statusId: 1 },
        ],
      },
      {
        id: '00002',
        statusIds: [3, 8, 12],
        records: [{ mainNumber: '111222333', additionalNumbers: ['333444555'], statusId: null }],
      },
      { id: '00003', statusIds: [1, 3], records: [{ mainNumber: '111222333', additionalNumbers: [], statusId: 1 }] },
    ],
  };
}

export class ThuliumSimulator {
  readonly tenant: Tenant;
  readonly calls: RecordedCall[] = [];
  /** Every update applied, in the order Thulium applied them. */
  readonly applied: AppliedUpdate[] = [];
  /** How many requests met each fault type, injected or drawn at random. */
  readonly faultsMet: Partial<Record<Fault['type'], number>> = {};
  latencyMs: number;
  /** Unset: no limit. Setting it starts with a full bucket. */
  get rateLimit(): RateLimit | undefined {
    return this.bucket?.limit;
  }
  set rateLimit(limit: RateLimit | undefined) {
    this.bucket = limit && { limit, tokens: limit.callsPerSecond, at: performance.now() };
  }
  private bucket: { limit: RateLimit; tokens: number; at: number } | undefined;
  private readonly faults: Fault[] = [];
  private readonly faultsByPhone = new Map<string, Fault[]>();
  private readonly delaysByUpdate = new Map<string, number>();
  private randomFaults: { rate: number; faults: Fault[]; random: () => number } | undefined;
  private inFlight = 0;
  /** The most requests this simulator has had in progress at once. */
  maxInFlight = 0;
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((req, res) => void this.serve(req, res));
  private requestCount = 0;
  private connections = 0;
  private address: AddressInfo | undefined;

  constructor(options: SimulatorOptions = {}) {
    this.tenant = options.tenant ?? sampleTenant();
    this.latencyMs = options.latencyMs ?? 0;
    this.server.on('connection', (socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, resolve);
    });
    this.address = this.server.address() as AddressInfo;
    return this;
  }

  get url(): string {
    if (!this.address) throw new Error('simulator is not listening');
    return `http://127.0.0.1:${this.address.port}`;
  }

  /** The next requests meet these faults, one each, in order. */
  injectFaults(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  /** From now on, a share of the requests meets one of these faults, drawn from the seed. */
  injectRandomFaults({ rate, seed, faults }: RandomFaults): void {
    this.randomFaults = { rate, faults, random: seededRandom(seed) };
  }

  /** Forgets every fault not met yet. */
  clearFaults(): void {
    this.faults.length = 0;
    this.faultsByPhone.clear();
    this.delaysByUpdate.clear();
    this.randomFaults = undefined;
  }

  /** The next requests for this phone number meet these faults, before any global ones. */
  injectFaultsFor(phoneNumber: string, ...faults: Fault[]): void {
    this.faultsByPhone.set(phoneNumber, [...(this.faultsByPhone.get(phoneNumber) ?? []), ...faults]);
  }

  /** Every request setting this status on this number is answered `ms` later, until faults are cleared. */
  delayUpdate(phoneNumber: string, statusId: number, ms: number): void {
    this.delaysByUpdate.set(`${phoneNumber}/${statusId}`, ms);
  }

  /** The status a number's records hold now (the first record's, in campaign order): what a caller would find. */
  currentStatusOf(mainNumber: string): number | null | undefined {
    for (const campaign of this.tenant.campaigns) {
      const record = campaign.records.find((r) => r.mainNumber === mainNumber);
      if (record) return record.statusId;
    }
    return undefined;
  }

  /** TCP connections accepted so far (keep-alive reuse keeps this low). */
  get connectionCount(): number {
    return this.connections;
  }

  statusOf(campaignId: string, mainNumber: string): number | null | undefined {
    const campaign = this.tenant.campaigns.find((c) => c.id === campaignId);
    return campaign?.records.find((r) => r.mainNumber === mainNumber)?.statusId;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    try {
      await this.serveOne(req, res);
    } finally {
      this.inFlight--;
    }
  }

  private async serveOne(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = `sim-${++this.requestCount}`;
    const body = await readBody(req);
    const call: RecordedCall = {
      requestId,
      at: Date.now(),
      contentType: req.headers['content-type'],
      username: basicUser(req.headers.authorization)?.[0],
      body,
      status: 0,
    };
    this.calls.push(call);
    const limited = this.overLimit();
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    const delay = this.delaysByUpdate.get(updateKeyOf(body));
    if (delay) await sleep(delay);
    const fault =
      limited ?? this.faultsByPhone.get(phoneOf(body) ?? '')?.shift() ?? this.faults.shift() ?? this.drawFault();
    if (fault) this.faultsMet[fault.type] = (this.faultsMet[fault.type] ?? 0) + 1;
    if (fault?.type === 'delay') await sleep(fault.ms);
    if (fault?.type === 'reset') {
      call.status = 'reset';
      req.socket.destroy();
      return;
    }
    if (fault?.type === 'hang') {
      call.status = 'hang';
      return; // the socket is destroyed on close()
    }
    const answer = this.answer(req, body, requestId, fault);
    call.status = answer.status;
    res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...answer.headers });
    res.end(answer.body);
  }

  /** Taken when the request arrives, as a tenant's gateway counts it. */
  private overLimit(): Fault | undefined {
    const bucket = this.bucket;
    if (!bucket) return undefined;
    const now = performance.now();
    const rate = bucket.limit.callsPerSecond;
    bucket.tokens = Math.min(Math.max(1, rate), bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return { type: 'rate-limit', retryAfterSeconds: 1 };
  }

  private drawFault(): Fault | undefined {
    const chaos = this.randomFaults;
    if (!chaos || chaos.random() >= chaos.rate) return undefined;
    return pick(chaos.faults, chaos.random);
  }

  private answer(
    req: IncomingMessage,
    body: string,
    requestId: string,
    fault: Fault | undefined,
  ): { status: number; body: string; headers?: Record<string, string> } {
    const error = (status: number, message: string, code: number, headers?: Record<string, string>) => ({
      status,
      headers,
      body: JSON.stringify({ request_id: requestId, errors: [{ message, code }] }),
    });
    if (fault?.type === 'status') {
      return {
        status: fault.status,
        body: fault.body ?? `<html><body>${fault.status}</body></html>`,
        headers: { 'content-type': 'text/html', ...fault.headers },
      };
    }
    if (fault?.type === 'rate-limit') {
      return error(429, 'Too many requests', 429, { 'retry-after': String(fault.retryAfterSeconds) });
    }
    if (fault?.type === 'garbage')
      return { status: 200, body: '<html>Service temporarily un', headers: { 'content-type': 'text/html' } };

    const user = basicUser(req.headers.authorization);
    if (!user || this.tenant.users[user[0]] !== user[1]) {
      return error(401, 'Unauthorized', 401, { 'www-authenticate': 'Basic realm="Thulium API"' });
    }
    if (req.method !== 'POST' || req.url?.split('?')[0] !== SIMULATOR_PATH) return error(404, 'Not found', 404);
    let input: { phone_number?: unknown; status_id?: unknown };
    try {
      input = JSON.parse(body);
    } catch {
      return error(400, 'Invalid JSON', 1000);
    }
    if (typeof input?.phone_number !== 'string' || input.phone_number === '') {
      return error(400, 'Parameter phone_number is required', 1001);
    }
    const statusId = Number(input.status_id);
    if (!Number.isInteger(statusId) || !(statusId in this.tenant.statuses)) {
      return error(400, `Status ${String(input.status_id).slice(0, 20)} does not exist`, 1002);
    }
    const matched = this.tenant.campaigns.flatMap((campaign) =>
      campaign.records.filter((r) => r.mainNumber === input.phone_number).map((record) => ({ campaign, record })),
    );
    if (matched.length === 0) return error(404, 'No records found for this phone number', 1003);
    const applicable = matched.filter(({ campaign }) => campaign.statusIds.includes(statusId));
    if (applicable.length === 0) return error(400, 'Status is not used in the campaigns of this phone number', 1004);
    for (const { record } of applicable) record.statusId = statusId;
    this.applied.push({ phoneNumber: input.phone_number, statusId });
    const ids = [...new Set(applicable.map(({ campaign }) => campaign.id))];
    return { status: 200, body: JSON.stringify({ outbound_id: ids }) };
  }
}

export async function startThuliumSimulator(options: SimulatorOptions = {}): Promise<ThuliumSimulator> {
  return new ThuliumSimulator(options).listen(options.port, options.host);
}

function basicUser(authorization: string | undefined): [string, string] | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

function updateKeyOf(body: string): string {
  try {
    const { phone_number, status_id } = JSON.parse(body);
    return `${phone_number}/${status_id}`;
  } catch {
    return '';
  }
}

function phoneOf(body: string): string | undefined {
  try {
    return String(JSON.parse(body).phone_number);
  } catch {
    return undefined;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const simulator = await startThuliumSimulator({ port: Number(process.env.PORT ?? 3001) });
  console.log(`Thulium simulator on ${simulator.url}${SIMULATOR_PATH} (user api_user, password api_pass)`);
}
