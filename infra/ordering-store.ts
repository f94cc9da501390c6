import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ORDERING_TABLE } from '../functions/outbound-status/adapters/ordering-table.ts';

export interface OrderingStoreProps {
  /** With the ordering guard on: the key of its phone-number hashes. The shared Thulium budget needs no key. */
  hashKey: boolean;
}

/**
 * The deployment's table: the ordering guard's items (settings `orderingGuard`), one per phone number,
 * keyed by an HMAC of the number, holding the version of the newest update applied, and the shared
 * Thulium budget's one item (`thuliumBudget=shared`); with the guard, the HMAC's key.
 * One construct for both, so the table keeps its logical id, and its items, whichever of them needs it.
 */
export class OrderingStore extends Construct {
  readonly table: Table;
  readonly key?: Secret;

  constructor(scope: Construct, id: string, props: OrderingStoreProps) {
    super(scope, id);
    // Table, not TableV2: cdk-nag's DDB3 and Control Tower's CT.DYNAMODB.PR.1/PR.2 evaluate
    // AWS::DynamoDB::Table only, so a TableV2 (AWS::DynamoDB::GlobalTable) would pass the checks unseen.
    this.table = new Table(this, 'Table', {
      partitionKey: { name: ORDERING_TABLE.partitionKey, type: AttributeType.STRING },
      timeToLiveAttribute: ORDERING_TABLE.ttlAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      // The aws/dynamodb key, as Control Tower asks (SSEEnabled), like the queues' SQS-managed default: the
      // table holds hashes, versions, status ids and a call budget, nothing a customer-managed key's policy would add to.
      encryption: TableEncryption.AWS_MANAGED,
      // cdk-nag DDB3 and CT.DYNAMODB.PR.1; it also makes a table deleted by hand restorable with its history.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Deleted with the stack, and no deletion protection (it would make `cdk destroy` fail): the items
      // are pseudonymous phone data with no use once the function is gone, and expire within weeks anyway.
      // Losing the table only makes the guard forget: updates in flight then apply in the order processed.
      deletionProtection: false,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    if (!props.hashKey) return;

    this.key = new Secret(this, 'Key', {
      description:
        "Keys the phone-number hashes (HMAC) of the thulium-outbound-status ordering table. Replacing it makes the ordering guard forget every number's history.",
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      // Goes with the table: the hashes are worthless without it, and it is worthless without them.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.key).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        "The key is never rotated on purpose: a new key gives every phone number a new hash in the ordering table, so the guard would forget every number's history and could apply an older update over a newer one. It never leaves AWS: the function's role is granted GetSecretValue on it and nothing else in the stack is.",
    });
  }
}
