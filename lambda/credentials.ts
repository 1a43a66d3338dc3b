/**
 * The credentials of the handler: the function role's, which Lambda puts in the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) of every Node.js function.
 *
 * The bundle build aliases `@aws-sdk/credential-provider-node` to this file (see `.projenrc.ts`):
 * the SDK's default chain also knows profiles, SSO, web identity and instance metadata, with the
 * STS and SSO clients they need, which are a third of the bundle and its load time and are
 * never used on Lambda.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** The same name and shape as `@aws-sdk/credential-provider-node`'s `defaultProvider`. */
export const defaultProvider = (): ReturnType<typeof fromEnv> => fromEnv();
