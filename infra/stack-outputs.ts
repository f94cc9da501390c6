/**
 * Stack outputs that tools read by name (`npm run trace` finds the table, the key and the log group
 * through them). Plain strings, no CDK: the tools load this without the CDK.
 */
export const STACK_OUTPUTS = {
  orderingTable: 'OrderingTableName',
  orderingKey: 'OrderingKeySecretArn',
  logGroup: 'FunctionLogGroupName',
} as const;
