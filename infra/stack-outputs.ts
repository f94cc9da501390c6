/**
 * Stack outputs that tools read by name (`npm run trace` finds the table, the key, the log group and
 * the function's phone normalisation through them). Plain strings, no CDK: the tools load this
 * without the CDK.
 */
export const STACK_OUTPUTS = {
  orderingTable: 'OrderingTableName',
  orderingKey: 'OrderingKeySecretArn',
  logGroup: 'FunctionLogGroupName',
  phoneNormalisation: 'PhoneNormalisation',
  phoneCountryCode: 'PhoneCountryCode',
} as const;
