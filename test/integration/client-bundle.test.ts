import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// The package's own `./client` export, as a workload resolves it: the built module and its declarations.
import {
  OUTCOME_DETAIL_TYPES,
  OUTCOME_EVENT_SOURCE,
  OutcomeEventDetail,
  OutcomeEventError,
  parseOutcomeEvent,
  type OutcomeEvent,
} from 'thulium-outbound-status/client';
import * as published from '../../functions/outbound-status/faces/outcome-event.ts';

describe('the producer helper, as built (dist/client)', () => {
  it('is built without Lambda dependencies: only the SDK, zod, undici and p-limit are imported', () => {
    const built = readFileSync(new URL('../../dist/client/index.mjs', import.meta.url), 'utf8');
    const imported = new Set(
      [...built.matchAll(/^} from "([^"]+)";$|^import .* from "([^"]+)";$/gm)].map((m) => m[1] ?? m[2]),
    );
    expect([...imported].sort()).toEqual([
      '@aws-sdk/client-sqs',
      '@aws-sdk/credential-provider-node',
      '@smithy/core/checksum',
      '@smithy/signature-v4',
      'node:crypto',
      'node:timers/promises',
      'p-limit',
      'undici',
      'zod/mini',
    ]);
  });

  it("exports the function's own outcome event source, types and detail schema", () => {
    expect(OUTCOME_EVENT_SOURCE).toBe(published.OUTCOME_EVENT_SOURCE);
    expect(OUTCOME_DETAIL_TYPES).toEqual(published.OUTCOME_DETAIL_TYPES);
    const detail = { outcome: 'superseded', face: 'http', correlation_id: 'c', applied_version: 'v' };
    expect(OutcomeEventDetail.safeParse(detail)).toMatchObject({ success: true, data: detail });
    expect(OutcomeEventDetail.safeParse({ ...detail, face: 'fax' }).success).toBe(false);
  });

  it('parses an SQS message body into a typed outcome event, and refuses a foreign one', () => {
    const event = {
      source: 'thulium.outbound-status',
      'detail-type': 'Status update applied',
      time: '2026-12-01T09:30:02Z',
      detail: { outcome: 'applied', face: 'queue', correlation_id: 'm-1', reference: 'crm-1', outbound_id: ['00001'] },
    };
    const parsed: OutcomeEvent = parseOutcomeEvent(JSON.stringify(event));
    expect(parsed.detail.outbound_id).toEqual(['00001']);
    expect(() => parseOutcomeEvent({ ...event, source: 'crm.leads' })).toThrow(OutcomeEventError);
  });
});
