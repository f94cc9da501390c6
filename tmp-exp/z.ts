import * as z from 'zod'; export const x = z.strictObject({a: z.string().regex(/x/)});
