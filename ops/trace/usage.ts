import { STACK_OUTPUTS } from '../../infra/stack-outputs.ts';
import { DEFAULT_STACK } from '../dlq/queue-names.ts';

export const USAGE = `What happened to one phone number: what the ordering store holds for it, its messages in the
dead-letter queue (DLQ), and the CloudWatch Logs Insights query that finds its log lines. The number
is masked in everything printed.

usage: npm run -s trace -- <phone_number> [options]
       npm run -s trace -- <phone_number> --json | jq …
(-s: without it, npm echoes the command, the number in full, above the masked report)

options
  --logs                  run the log query too and print what it finds
  --since D               how far back the log query looks: 15m, 24h, 7d (default 24h)
  --json                  one JSON object instead of text
  --stack NAME            the CDK stack whose names to use (default: ${DEFAULT_STACK})
  --dlq URL               the DLQ (default: $DLQ_URL, else from --stack, as npm run dlq finds it)
  --table NAME            the ordering table (default: $ORDERING_TABLE_NAME, else the stack's
                          output ${STACK_OUTPUTS.orderingTable})
  --key-secret ID         the secret that keys the numbers' hashes (default: $ORDERING_KEY_SECRET_ID,
                          else the stack's output ${STACK_OUTPUTS.orderingKey})
  --log-group NAME        the function's log group (default: $LOG_GROUP_NAME, else the stack's
                          output ${STACK_OUTPUTS.logGroup})
  --normalisation MODE    as-is, strip-separators or national, as the function's PHONE_NORMALISATION
                          (default: $PHONE_NORMALISATION, else the stack's output
                          ${STACK_OUTPUTS.phoneNormalisation}, else as-is with a WARNING that it is a guess)
  --country-code CODE     the code national removes (default: $PHONE_COUNTRY_CODE, else the stack's
                          output ${STACK_OUTPUTS.phoneCountryCode}, else 48 with a WARNING)
  --visibility-timeout S  seconds a DLQ message read stays hidden from other readers (default 60)
  -h, --help              this text

The stack's outputs are read (CloudFormation DescribeStacks, once) only for what is not given. A
stack without ${STACK_OUTPUTS.orderingKey} has its ordering guard off, as has ORDERING_GUARD=off in the
environment: no item and, without a key, no number_key to look for. AWS settings come from the
environment as for the AWS CLI: AWS_PROFILE or keys, AWS_REGION, AWS_ENDPOINT_URL_<SERVICE>.
How to read each part: docs/trace.md.

exit codes: 0 every part read (or, with the guard off, had nothing to read), 1 a part could not be
read (its section says why), 2 bad usage, 130 interrupted (Ctrl-C)
`;
