/**
 * Where `npm start`'s function gets its Thulium API user, and the banner's words for it. The banner
 * names the variables that set it, so nobody takes the simulator's own user for theirs.
 */

/** The embedded simulator's user, for whatever the environment leaves unset. */
export const LOCAL_API_USER = { username: 'api_user', password: 'api_pass' } as const;

export type ApiUser = { username: string; password: string; source: string } | { secretId: string; source: string };

const BOTH = 'THULIUM_USERNAME, THULIUM_PASSWORD';

/** `simulator`: the embedded simulator plays Thulium (THULIUM_BASE_URL unset). An empty variable counts as unset. */
export function apiUserFor(env: NodeJS.ProcessEnv, simulator: boolean): ApiUser {
  const username = env.THULIUM_USERNAME || undefined;
  const password = env.THULIUM_PASSWORD || undefined;
  if (username && password) return { username, password, source: `API user from the environment (${BOTH})` };
  if (simulator) return { ...LOCAL_API_USER, ...withDefaults(username, password) };
  if (env.THULIUM_SECRET_ID) {
    return {
      secretId: env.THULIUM_SECRET_ID,
      source: `API user from Secrets Manager secret ${env.THULIUM_SECRET_ID} (THULIUM_SECRET_ID)`,
    };
  }
  throw new Error('With THULIUM_BASE_URL, set THULIUM_USERNAME and THULIUM_PASSWORD, or THULIUM_SECRET_ID');
}

function withDefaults(username: string | undefined, password: string | undefined) {
  const local = 'the built-in local default';
  if (username) {
    return { username, source: `API user from THULIUM_USERNAME, password ${local} (THULIUM_PASSWORD not set)` };
  }
  if (password) {
    return {
      password,
      source: `API user ${LOCAL_API_USER.username}, ${local} (THULIUM_USERNAME not set), password from THULIUM_PASSWORD`,
    };
  }
  return { source: `API user ${LOCAL_API_USER.username}, ${local} (${BOTH} not set)` };
}
