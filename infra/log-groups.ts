import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { Settings } from './settings.ts';

/** Control Tower asks for a year of retention; shorter is a choice the operator made on purpose. */
const CONTROL_TOWER_RETENTION_DAYS = 365;

/** A log group encrypted with the stack's logs key, kept when the stack is deleted. */
export function encryptedLogGroup(
  scope: Construct,
  id: string,
  settings: Settings,
  key: IKey,
  logGroupName?: string,
): LogGroup {
  const logGroup = new LogGroup(scope, id, {
    logGroupName,
    retention: settings.logRetentionDays,
    encryptionKey: key,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  if (settings.logRetentionDays < CONTROL_TOWER_RETENTION_DAYS) {
    Validations.of(logGroup).acknowledge({
      id: 'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check',
      reason: `logRetentionDays=${settings.logRetentionDays} was set on purpose (the default is ${CONTROL_TOWER_RETENTION_DAYS}): these logs hold masked phone numbers and request metadata, and data minimisation can call for a shorter retention.`,
    });
  }
  return logGroup;
}
