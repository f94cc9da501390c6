import { DEFAULT_STACK } from './queue-names.ts';
import { UNRECORDED } from './reasons.ts';

export const USAGE = `Inspect and redrive the thulium-outbound-status dead-letter queue (DLQ).

usage: npm run dlq -- <command> [options]
       npm run -s dlq -- list --json | jq …   (-s: without npm's header lines, in a pipe)

commands
  list      every message in the DLQ by reason, phone numbers masked; reads without consuming
  redrive   back to the main queue; a dry run unless --apply
  discard   delete messages of the given reasons (after fixing the sender); a dry run unless --apply
  status    depth of both queues and the DLQ's recent move tasks
  cancel    cancel the DLQ's running move task (one started by redrive without --reason)

options
  --reason CODE[,CODE]    only messages with these ErrorCode values (repeatable); ${UNRECORDED}: moved
                          by SQS's redrive policy without a reason
  --apply                 redrive, discard: really do it
  --rate N                redrive: at most N messages a second (1-500)
  --json                  list: one JSON object per message
  --limit N               list: read at most N messages
  --visibility-timeout S  seconds a message read stays hidden from other readers (default 60); after
                          an interruption, what was in hand is back in the DLQ after this
  --dlq URL               the DLQ (default: $DLQ_URL, else from --stack)
  --queue URL             the main queue (default: $QUEUE_URL, else from --stack or the DLQ's name)
  --stack NAME            the CDK stack whose queues to use (default: ${DEFAULT_STACK})
  -h, --help              this text

redrive --apply without --reason starts an SQS message move task (all messages, SQS does the work);
with --reason, the tool moves each matching message itself: send to the main queue, then delete
from the DLQ. Ctrl-C: see docs/runbook.md, "Dead-letter queue tool". AWS settings come from the environment
as for the AWS CLI: AWS_PROFILE or keys, AWS_REGION, AWS_ENDPOINT_URL_SQS.

exit codes: 0 done, 1 failed, 2 bad usage, 130 interrupted (Ctrl-C)
`;
