import { Duration, Tokenization } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type { ApiAuthProperties, ApiAuthSettingsProperties } from './handler-contract';
import { compact } from './util';
import type { DurationSetting, WrittenDuration } from './validation';

/** The auth modes an Amplify backend API (AppSync) accepts. */
export enum ApiAuthMode {
  /** API key. */
  API_KEY = 'API_KEY',
  /** IAM (SigV4-signed requests). */
  AWS_IAM = 'AWS_IAM',
  /** Amazon Cognito user pool tokens. */
  AMAZON_COGNITO_USER_POOLS = 'AMAZON_COGNITO_USER_POOLS',
  /** OpenID Connect tokens. */
  OPENID_CONNECT = 'OPENID_CONNECT',
}

/** Options for `ApiAuth.apiKey()`. */
export interface ApiKeyAuthOptions {
  /**
   * Description of the API key.
   * @default - no description
   */
  readonly description?: string;
  /**
   * How long the API key is valid: a whole number of days from 1 to 365.
   * @default - the service's default (7 days)
   */
  readonly expiration?: Duration;
}

/** Options for `ApiAuth.openIdConnect()`. */
export interface OpenIdConnectAuthOptions {
  /** Name of the OpenID Connect provider, e.g. "Auth0". */
  readonly providerName: string;
  /** Issuer URL of the provider, an absolute https:// URL as its tokens' "iss" claim has it. */
  readonly issuerUrl: string;
  /**
   * Client ID of the application at the provider. Tokens for other clients are refused.
   * @default - tokens for any client ID are accepted
   */
  readonly clientId?: string;
  /**
   * How long a token is accepted after it was issued to the user (auth time).
   * @default - no limit
   */
  readonly authTtl?: Duration;
  /**
   * How long a token is accepted after it was issued (iat).
   * @default - no limit
   */
  readonly iatTtl?: Duration;
}

/**
 * One auth mode of the backend API, with its settings. Build it with the static factories.
 */
export class ApiAuth {
  /**
   * API key auth.
   *
   * @example
   * const auth = ApiAuth.apiKey({ description: 'public read', expiration: Duration.days(30) });
   */
  public static apiKey(options: ApiKeyAuthOptions = {}): ApiAuth {
    const written: Written = {};
    return new ApiAuth(ApiAuthMode.API_KEY, {
      Description: options.description,
      ExpirationTime: convert(options.expiration, 'days', 'ExpirationTime', written),
    }, written);
  }

  /**
   * IAM auth.
   *
   * @example
   * const auth = ApiAuth.iam();
   */
  public static iam(): ApiAuth {
    return new ApiAuth(ApiAuthMode.AWS_IAM, {});
  }

  /**
   * Cognito user pool auth.
   *
   * @example
   * const auth = ApiAuth.userPool(cognito.UserPool.fromUserPoolId(this, 'Pool', 'us-east-1_AbCdEf123'));
   * @param userPool the user pool whose tokens the API accepts
   */
  public static userPool(userPool: cognito.IUserPool): ApiAuth {
    return new ApiAuth(ApiAuthMode.AMAZON_COGNITO_USER_POOLS, { CognitoUserPoolId: userPool.userPoolId });
  }

  /**
   * OpenID Connect auth.
   *
   * @example
   * const auth = ApiAuth.openIdConnect({
   *   providerName: 'Auth0',
   *   issuerUrl: 'https://example.auth0.com/',
   *   clientId: 'blog-web',
   *   authTtl: Duration.hours(1),
   * });
   */
  public static openIdConnect(options: OpenIdConnectAuthOptions): ApiAuth {
    const written: Written = {};
    return new ApiAuth(ApiAuthMode.OPENID_CONNECT, {
      OpenIDProviderName: options.providerName,
      OpenIDIssueURL: options.issuerUrl,
      OpenIDClientId: options.clientId,
      OpenIDAuthTTL: convert(options.authTtl, 'millis', 'OpenIDAuthTTL', written),
      OpenIDIatTTL: convert(options.iatTtl, 'millis', 'OpenIDIatTTL', written),
    }, written);
  }

  /** The auth mode. */
  public readonly mode: ApiAuthMode;
  private readonly settings: ApiAuthSettingsProperties;
  private readonly written: Written;

  private constructor(mode: ApiAuthMode, settings: ApiAuthSettingsProperties, written: Written = {}) {
    this.mode = mode;
    this.settings = settings;
    this.written = written;
  }

  /**
   * How the user wrote the Durations whose unit is not the contract's, for the messages of
   * `validateBackendApi` (the handler sees only the contract values).
   * @internal
   */
  public _written(): Written {
    return this.written;
  }

  /**
   * The `BackendAPIAuthType` written into the template.
   * @internal
   */
  public _render(): ApiAuthProperties {
    const settings = compact(this.settings);
    return settings ? { Mode: this.mode, Settings: settings } : { Mode: this.mode };
  }
}

/** How the user wrote the Durations of one auth mode, by contract setting. */
type Written = Partial<Record<DurationSetting, WrittenDuration>>;

/**
 * A Duration as its contract value: days or milliseconds, a fraction kept so that validation can
 * reject it with the value and its unit, listed with the other broken rules (aws-cdk-lib's "cannot
 * be converted into a whole number" error would be thrown here, at the factory call, alone and
 * without the construct's path). When the unit is not the contract's, records how the user wrote
 * it in `written`. A token amount can be converted only
 * when it is given in the contract's unit (Duration.days(token)); otherwise the setting gets no
 * value and `written` says it is unconvertible, which validation reports with the other rules.
 */
function convert(d: Duration | undefined, unit: 'days' | 'millis', setting: DurationSetting, written: Written): string | undefined {
  if (d === undefined) return undefined;
  const sameUnit = d.unitLabel() === unit;
  if (d.isUnresolved()) {
    if (!sameUnit) {
      written[setting] = { written: `Duration.${d.unitLabel()}(<token>)`, unconvertible: true };
      return undefined;
    }
  } else if (!sameUnit) {
    written[setting] = { written: d.toString() };
  }
  const amount = unit === 'days' ? d.toDays({ integral: false }) : d.toMilliseconds({ integral: false });
  return Tokenization.stringifyNumber(amount);
}
