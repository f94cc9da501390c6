import type { SQSClient } from '@aws-sdk/client-sqs';
import { EXIT_INTERRUPTED } from './cli-error.ts';
import { discardCommand } from './discard-command.ts';
import type { Interrupt } from './interrupt.ts';
import { listCommand } from './list-command.ts';
import type { Options } from './options.ts';
import { redriveCommand } from './redrive-command.ts';
import { cancelCommand, statusCommand } from './status-command.ts';

/** One command, to its exit code. */
export async function runCommand(sqs: SQSClient, options: Options, interrupt: Interrupt): Promise<number> {
  switch (options.command) {
    case 'list':
      await listCommand(sqs, options, interrupt);
      return interrupt.requested() ? EXIT_INTERRUPTED : 0;
    case 'redrive':
      return redriveCommand(sqs, options, interrupt);
    case 'discard':
      return discardCommand(sqs, options, interrupt);
    case 'status':
      return statusCommand(sqs, options);
    case 'cancel':
      return cancelCommand(sqs, options);
  }
}
