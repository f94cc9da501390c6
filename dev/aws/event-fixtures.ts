import { readFileSync } from 'node:fs';

/** An AWS event as AWS documents it (test/fixtures/aws-events/), parsed afresh for each caller to change. */
export const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../test/fixtures/aws-events/${name}`, import.meta.url), 'utf8'));
