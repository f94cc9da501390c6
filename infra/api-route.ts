import { ENDPOINT_PATH } from '../functions/outbound-status/core/contract.ts';

/**
 * Where the API serves the contract. Apart from status-api.ts, so what publishes the contract does
 * not load the CDK to read two names.
 */
export const API_RESOURCE_PATH = ENDPOINT_PATH.slice(1);
export const STAGE_NAME = 'v1';
