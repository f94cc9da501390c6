import { z } from 'zod';

/**
 * The forms stack settings take. Values come from typed stack props or from CDK context (`cdk.json`
 * or `-c key=value`, where everything arrives as a string), so numbers, booleans and lists are
 * coerced from strings too. ARNs are checked at synth, so a typo fails before a deploy starts rather
 * than as a CloudFormation rollback; partitions other than `aws` (`aws-cn`, `aws-us-gov`) pass too.
 */
export const integer = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
export const flag = (fallback: boolean) =>
  z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).default(fallback);
export const list = (item: z.ZodString) =>
  z
    .union([
      z.array(z.string()),
      z.string().transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(z.array(item))
    .default([]);

/** Topic names: letters, digits, `-` and `_`, with `.fifo` for a FIFO topic. */
export const TOPIC_ARN = /^arn:aws[\w-]*:sns:[a-z0-9-]+:[0-9]{12}:[\w-]{1,251}(\.fifo)?$/;
/** A rule on the default bus, or on a named one (`rule/<bus>/<rule>`; partner bus names hold slashes). */
export const RULE_ARN = /^arn:aws[\w-]*:events:[a-z0-9-]+:[0-9]{12}:rule\/([\w./-]{1,256}\/)?[\w.-]{1,64}$/;
/** A bus by ARN, its name as EventBridge allows it (a partner bus's holds slashes). */
export const EVENT_BUS_ARN = /^arn:aws[\w-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus\/[\w./-]{1,256}$/;
export const KMS_KEY_ARN =
  /^arn:aws[\w-]*:kms:[a-z0-9-]+:[0-9]{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
