import { Pool } from 'undici'; export const x = Pool;
