import { describe, expect, it } from 'vitest';
import { insteadByReason } from '../../ops/dlq/by-reason.ts';
import type { DeadLetter } from '../../ops/dlq/dead-letter.ts';
import { kindOf, UNRECORDED } from '../../ops/dlq/reasons.ts';

/** `count` dead letters of `reason`, with the kind the tool reads from a message of that reason. */
const letters = (reason: string, count: number): DeadLetter[] =>
  Array.from({ length: count }, (_, n) => ({
    messageId: `${reason}-${n}`,
    reason,
    kind: kindOf(reason, undefined),
    envelope: 'none',
  }));

describe('what redrive --apply offers when no move task can run', () => {
  it('the reasons in the DLQ that can succeed when sent again, largest first; the others named as left out', () => {
    const dlq = [
      ...letters('SECRET_UNAVAILABLE', 1),
      ...letters('VALIDATION_FAILED', 4),
      ...letters('THULIUM_UNAVAILABLE', 3),
      ...letters('THULIUM_REFUSED', 2),
    ];
    expect(insteadByReason('updates-dlq', dlq)).toBe(
      'move the messages of updates-dlq by reason instead: redrive --reason THULIUM_UNAVAILABLE,SECRET_UNAVAILABLE --apply (left out, as they fail again when sent unchanged: VALIDATION_FAILED, THULIUM_REFUSED)',
    );
  });

  it('nothing left out, nothing said of it; a message without a recorded reason is offered', () => {
    expect(insteadByReason('updates-dlq', [...letters('DEADLINE_EXCEEDED', 2), ...letters(UNRECORDED, 1)])).toBe(
      'move the messages of updates-dlq by reason instead: redrive --reason DEADLINE_EXCEEDED,UNRECORDED --apply',
    );
  });

  it('offers no redrive when every reason fails again', () => {
    expect(insteadByReason('updates-dlq', [...letters('MALFORMED_JSON', 1), ...letters('THULIUM_REFUSED', 1)])).toBe(
      'nothing in updates-dlq is worth moving by reason: MALFORMED_JSON, THULIUM_REFUSED fail again when sent unchanged (list shows them; discard --reason MALFORMED_JSON,THULIUM_REFUSED --apply once their cause is dealt with)',
    );
  });

  it('offers no codes it did not read', () => {
    expect(insteadByReason('updates-dlq', [])).toBe(
      'no message of updates-dlq could be read for its reason; run again later',
    );
  });
});
