/**
 * Input rules for both constructs, written once and run twice: by the constructs at synth time
 * (skipping values that are still tokens) and by the handler before any service call (on the
 * resolved values). Pure functions over the handler contract; no aws-cdk-lib import, because the
 * handler bundle includes this file. Messages name the construct prop, show the value (a number
 * with its unit, anything else JSON-quoted) and say how to fix it.
 */
import { API_SERVICE, WAIT_FOR_COMPLETION } from './handler-contract';
import type {
  AdminUiLoginResourceProperties,
  ApiAuthProperties,
  ApiAuthSettingsProperties,
  BackendApiResourceProperties,
} from './handler-contract';

/** Tells whether a value is not known yet (a CDK token); such values are checked later. */
export type IsUnresolved = (value: string) => boolean;

/** Used by the handler: at deploy time every value is resolved. */
export const allResolved: IsUnresolved = () => false;

export const AUTH_MODES = ['API_KEY', 'AWS_IAM', 'AMAZON_COGNITO_USER_POOLS', 'OPENID_CONNECT'] as const;
export const RESOLUTION_STRATEGIES = ['OPTIMISTIC_CONCURRENCY', 'LAMBDA', 'AUTOMERGE', 'NONE'] as const;

/**
 * How the user wrote a setting that the construct converted from a Duration into its contract
 * value (days or milliseconds). Only the constructs know it; the handler and the CLI see the
 * contract value alone, and say it with its unit.
 */
export interface WrittenDuration {
  /** The Duration as written when its unit is not the contract's, e.g. "Duration.hours(36)" or "Duration.hours(<token>)". */
  readonly written: string;
  /**
   * An amount known only at deploy time (a token) in another unit than the contract's: it cannot
   * be converted at synth time, and the setting has no contract value.
   */
  readonly unconvertible?: boolean;
}

/** The contract settings converted from a Duration. */
export type DurationSetting = keyof Pick<ApiAuthSettingsProperties, 'ExpirationTime' | 'OpenIDAuthTTL' | 'OpenIDIatTTL'>;

/** How the user wrote the Durations of the auth mode at `prop` ("defaultAuthType", "additionalAuthTypes[0]"), when known. */
export type WrittenAuth = (prop: string) => Partial<Record<DurationSetting, WrittenDuration>> | undefined;

/** The units of the contract's numbers, as messages write them. */
export type Unit = 'days' | 'ms';

/** A number as JSON writes it: only such a value is shown as a number. */
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?(e[+-]?\d+)?$/i;

/**
 * A value for a message: a number (or a string that is one) with its unit, e.g. `1.5 days`,
 * `0 ms`; anything else as `other` shows it (JSON-quoted, as the other messages show values).
 */
export function withUnit(value: unknown, unit: Unit, other: (v: unknown) => string = (v) => JSON.stringify(v)): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || !NUMBER.test(text)) return other(value);
  return `${text} ${unit === 'days' && text === '1' ? 'day' : unit}`;
}

/** API key lifetime bounds, in days (AppSync's). */
const API_KEY_MIN_DAYS = 1;
const API_KEY_MAX_DAYS = 365;

/** Shapes of the target's names; `cdk-amplify-backend import` checks its options against them too. */
export const APP_ID = /^d[a-z0-9]{1,19}$/;
export const ENV_NAME = /^[A-Za-z0-9_-]+$/;
export const RESOURCE_NAME = /^[A-Za-z0-9]+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const USER_POOL_ID = /^[a-z]{2}(-[a-z]+)+-\d{1,2}_[0-9A-Za-z]+$/;
const IDENTITY_POOL_ID = /^[a-z]{2}(-[a-z]+)+-\d{1,2}:[0-9a-f-]+$/;
const POSITIVE_INTEGER = /^[1-9]\d*$/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

class Checker {
  readonly errors: string[] = [];
  constructor(private readonly construct: string, readonly isUnresolved: IsUnresolved) {}

  /** Runs `test` on a known value; a token or an absent value passes. */
  check(prop: string, value: string | undefined, test: (v: string) => boolean, fix: string): void {
    if (value === undefined || this.isUnresolved(value)) return;
    if (!test(value)) this.fail(prop, value, fix);
  }

  fail(prop: string, value: unknown, fix: string): void {
    this.failShown(prop, JSON.stringify(value), fix);
  }

  /** `shown`: the value as the message shows it. */
  failShown(prop: string, shown: string, fix: string): void {
    this.errors.push(`${this.construct}: invalid ${prop} (got ${shown}): ${fix}`);
  }

  /**
   * A number of `unit` converted from a Duration: `test` runs on a known contract value, shown
   * with its unit and, when the user wrote another unit, how they wrote it. A Duration that could
   * not be converted fails with `convertFix`.
   */
  duration(prop: string, value: string | undefined, unit: Unit, source: WrittenDuration | undefined,
    test: (v: string) => boolean, fix: string, convertFix: string): void {
    if (source?.unconvertible) {
      this.failShown(prop, source.written, convertFix);
      return;
    }
    if (value === undefined || this.isUnresolved(value) || test(value)) return;
    this.failShown(prop, `${withUnit(value, unit)}${source ? ` from ${source.written}` : ''}`, fix);
  }

  required(prop: string, value: string | undefined, fix: string): boolean {
    if (value === undefined) {
      this.errors.push(`${this.construct}: ${prop} is required: ${fix}`);
      return false;
    }
    return true;
  }

  notEmpty(prop: string, value: string | undefined): void {
    this.check(prop, value, (v) => v.trim().length > 0, `${prop} must not be empty; give a value or leave the prop out.`);
  }

  /** A name: not blank, no control characters, no spaces around it. */
  name(prop: string, value: string | undefined): void {
    if (value === undefined || this.isUnresolved(value)) return;
    if (value.trim().length === 0) this.fail(prop, value, `${prop} must not be blank; give a value or leave the prop out.`);
    else if (CONTROL_CHARACTER.test(value)) this.fail(prop, value, `${prop} must not hold control characters (line breaks, tabs, ...); remove them.`);
    else if (value.trim() !== value) this.fail(prop, value, `${prop} must not start or end with spaces; remove them.`);
  }
}

function checkAppId(c: Checker, value: string): void {
  if (c.required('appId', value, 'give the Amplify app ID, e.g. "d1a2b3c4d5e6f7".')) {
    c.check('appId', value, (v) => APP_ID.test(v), 'an Amplify app ID is "d" followed by 1 to 19 lowercase letters or digits (e.g. "d1a2b3c4d5e6f7"); use the app ID, not its name or ARN.');
  }
}

function checkAuth(c: Checker, prop: string, auth: ApiAuthProperties, written: Partial<Record<DurationSetting, WrittenDuration>>): void {
  const s = auth.Settings ?? {};
  // Typed as one of AUTH_MODES, so that a case label that is not one fails to compile.
  switch (auth.Mode as typeof AUTH_MODES[number]) {
    case 'API_KEY':
      c.duration(`${prop} ApiAuth.apiKey({ expiration })`, s.ExpirationTime, 'days', written.ExpirationTime, (v) => {
        const days = Number(v);
        return Number.isInteger(days) && days >= API_KEY_MIN_DAYS && days <= API_KEY_MAX_DAYS;
      }, `the API key expiration must be a whole number of days from ${API_KEY_MIN_DAYS} to ${API_KEY_MAX_DAYS}, e.g. Duration.days(30).`,
      'an amount known only at deploy time (a CfnParameter, an attribute) cannot be converted into days at synth time; '
      + `give it in days, e.g. Duration.days(param.valueAsNumber), a whole number from ${API_KEY_MIN_DAYS} to ${API_KEY_MAX_DAYS}.`);
      c.name(`${prop} ApiAuth.apiKey({ description })`, s.Description);
      break;
    case 'AWS_IAM':
      break;
    case 'AMAZON_COGNITO_USER_POOLS':
      if (c.required(`${prop} ApiAuth.userPool(userPool)`, s.CognitoUserPoolId, 'pass the Cognito user pool whose tokens the API accepts.')) {
        c.check(`${prop} ApiAuth.userPool(userPool).userPoolId`, s.CognitoUserPoolId, (v) => USER_POOL_ID.test(v),
          'a user pool ID looks like "us-east-1_AbCdEf123"; import the pool with UserPool.fromUserPoolId().');
      }
      break;
    case 'OPENID_CONNECT': {
      const opt = (name: string) => `${prop} ApiAuth.openIdConnect({ ${name} })`;
      if (c.required(opt('providerName'), s.OpenIDProviderName, 'name the OpenID Connect provider, e.g. "Auth0".')) {
        c.name(opt('providerName'), s.OpenIDProviderName);
      }
      if (c.required(opt('issuerUrl'), s.OpenIDIssueURL, 'give the issuer URL, e.g. "https://example.auth0.com/".')) {
        const problem = s.OpenIDIssueURL === undefined || c.isUnresolved(s.OpenIDIssueURL) ? undefined : issuerProblem(s.OpenIDIssueURL);
        if (problem) c.fail(opt('issuerUrl'), s.OpenIDIssueURL, `${problem}; the issuer is the provider's https:// URL exactly as its tokens' "iss" claim has it, e.g. "https://example.auth0.com/".`);
      }
      c.name(opt('clientId'), s.OpenIDClientId);
      const ttlConvertFix = 'an amount known only at deploy time (a CfnParameter, an attribute) cannot be converted into milliseconds at synth time; '
        + 'give it in milliseconds, e.g. Duration.millis(param.valueAsNumber), a whole number of at least 1.';
      c.duration(opt('authTtl'), s.OpenIDAuthTTL, 'ms', written.OpenIDAuthTTL, (v) => POSITIVE_INTEGER.test(v),
        'the token lifetime is a whole number of milliseconds, at least 1 (0 would refuse every token); use e.g. Duration.hours(1), or leave it out for no limit.', ttlConvertFix);
      c.duration(opt('iatTtl'), s.OpenIDIatTTL, 'ms', written.OpenIDIatTTL, (v) => POSITIVE_INTEGER.test(v),
        'the issued-at lifetime is a whole number of milliseconds, at least 1 (0 would refuse every token); use e.g. Duration.hours(1), or leave it out for no limit.', ttlConvertFix);
      break;
    }
    default:
      c.check(`${prop} mode`, auth.Mode, () => false, `the mode must be one of ${AUTH_MODES.join(', ')}; build it with ApiAuth.apiKey(), ApiAuth.iam(), ApiAuth.userPool() or ApiAuth.openIdConnect().`);
  }
}

/** What is wrong with an OpenID Connect issuer URL, if anything. */
function issuerProblem(v: string): string | undefined {
  if (/\s/.test(v) || CONTROL_CHARACTER.test(v)) return 'it holds spaces or control characters';
  if (!v.startsWith('https://')) return 'it must start with "https://" (lower case)';
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return 'it is not a URL';
  }
  if (url.hostname.length === 0) return 'it has no host';
  if (url.username || url.password) return 'it must not carry credentials (user:password@)';
  if (v.includes('?')) return 'it must not have a query (?...)';
  if (v.includes('#')) return 'it must not have a fragment (#...)';
  return undefined;
}

/**
 * Every rule for a `BackendApiConfig`; returns the messages of the rules broken.
 * @param written how the user wrote the auth modes' Durations (the construct knows; the handler does not)
 */
export function validateBackendApi(p: BackendApiResourceProperties, isUnresolved: IsUnresolved, written: WrittenAuth = () => undefined): string[] {
  const c = new Checker('BackendApiConfig', isUnresolved);
  checkAppId(c, p.AppId);
  if (c.required('backendEnvironmentName', p.BackendEnvironmentName, 'give the backend environment, e.g. "staging".')) {
    c.check('backendEnvironmentName', p.BackendEnvironmentName, (v) => ENV_NAME.test(v),
      'an environment name is made of letters, digits, "-" and "_" (e.g. "staging"), and is never empty.');
  }
  if (c.required('resourceName', p.ResourceName, 'give the name of the backend API resource, as in amplify/backend/api/<name>.')) {
    c.check('resourceName', p.ResourceName, (v) => RESOURCE_NAME.test(v),
      'the API resource name is alphanumeric and never empty, as in amplify/backend/api/<name>.');
  }
  const rc = p.ResourceConfig ?? {};
  c.name('apiName', rc.ApiName);
  c.check('service', rc.Service, (v) => v === API_SERVICE, `the service accepts only "${API_SERVICE}"; set service to "${API_SERVICE}" or leave it out.`);
  c.notEmpty('transformSchema', rc.TransformSchema);
  if (rc.TransformSchema !== undefined && p.TransformSchemaLocation !== undefined) {
    c.errors.push('BackendApiConfig: the transform schema is given both inline and as a file asset; give it once, with ApiSchema.fromString() or ApiSchema.fromFile().');
  }
  c.check('conflictResolution', rc.ConflictResolution?.ResolutionStrategy, (v) => (RESOLUTION_STRATEGIES as readonly string[]).includes(v),
    `use one of ConflictResolutionStrategy.${RESOLUTION_STRATEGIES.join(', .')}.`);
  c.check('waitForCompletion', p.WaitForCompletion, (v) => (Object.values(WAIT_FOR_COMPLETION) as string[]).includes(v), 'use true or false.');

  const auths: Array<[string, ApiAuthProperties]> = [];
  if (rc.DefaultAuthType) auths.push(['defaultAuthType', rc.DefaultAuthType]);
  (rc.AdditionalAuthTypes ?? []).forEach((a, i) => auths.push([`additionalAuthTypes[${i}]`, a]));
  if (!rc.DefaultAuthType && (rc.AdditionalAuthTypes ?? []).length > 0) {
    c.errors.push('BackendApiConfig: additionalAuthTypes needs defaultAuthType: set defaultAuthType to the API\'s main auth mode, or leave both out to keep the API\'s current auth modes.');
  }
  const seen = new Map<string, string>();
  for (const [prop, auth] of auths) {
    checkAuth(c, prop, auth, written(prop) ?? {});
    if (isUnresolved(auth.Mode)) continue;
    const first = seen.get(auth.Mode);
    if (first !== undefined) {
      c.fail(prop, auth.Mode, `${auth.Mode} is already used by ${first}; an API takes each auth mode once, so remove one of them.`);
    } else {
      seen.set(auth.Mode, prop);
    }
  }
  return c.errors;
}

/** Every rule for an `AdminUiLoginConfig`; returns the messages of the rules broken. */
export function validateAdminUiLogin(p: AdminUiLoginResourceProperties, isUnresolved: IsUnresolved): string[] {
  const c = new Checker('AdminUiLoginConfig', isUnresolved);
  checkAppId(c, p.AppId);
  const l = p.LoginAuthConfig ?? {};
  c.check('cognitoRegion', l.AwsCognitoRegion, (v) => REGION.test(v), 'give an AWS region code such as "us-east-1", or leave it out to use the stack\'s region.');
  c.check('userPool.userPoolId', l.AwsUserPoolsId, (v) => USER_POOL_ID.test(v), 'a user pool ID looks like "us-east-1_AbCdEf123"; import the pool with UserPool.fromUserPoolId().');
  c.check('identityPoolId', l.AwsCognitoIdentityPoolId, (v) => IDENTITY_POOL_ID.test(v), 'an identity pool ID looks like "us-east-1:0a1b2c3d-1234-5678-9abc-def012345678".');
  c.name('userPoolClient.userPoolClientId', l.AwsUserPoolsWebClientId);
  if (l.AwsUserPoolsWebClientId !== undefined && l.AwsUserPoolsId === undefined) {
    c.errors.push('AdminUiLoginConfig: userPoolClient needs userPool: pass the user pool the client belongs to.');
  }
  if (l.AwsUserPoolsId === undefined && l.AwsCognitoIdentityPoolId === undefined) {
    c.errors.push('AdminUiLoginConfig: nothing to log in with: pass userPool (and userPoolClient) and/or identityPoolId.');
  }
  // A pool lives in one region: the region the Admin UI is told must be that region.
  for (const [prop, id, sep] of [['userPool', l.AwsUserPoolsId, '_'], ['identityPoolId', l.AwsCognitoIdentityPoolId, ':']] as const) {
    const region = l.AwsCognitoRegion;
    if (id === undefined || region === undefined || isUnresolved(id) || isUnresolved(region)) continue;
    const poolRegion = id.split(sep)[0];
    if (REGION.test(poolRegion) && poolRegion !== region) {
      c.fail('cognitoRegion', region, `${prop} "${id}" is in ${poolRegion}; set cognitoRegion to "${poolRegion}" or leave it out.`);
    }
  }
  return c.errors;
}
