// @ts-nocheck
import Pool from 'undici/lib/dispatcher/pool.js'; import request from 'undici/lib/api/api-request.js'; export const x = [Pool, request];
