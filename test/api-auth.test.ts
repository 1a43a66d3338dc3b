import { CfnParameter, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { ApiAuth, ApiAuthMode, BackendApiConfig } from '../src';
import { AUTH_MODES } from '../src/validation';
import { APP_ID, BACKEND_API_TYPE, ENV, errorMessage, logicalId, newStack } from './support/construct-helpers';

const REQUIRED = { appId: APP_ID, backendEnvironmentName: 'staging', resourceName: 'blogapi' };
const OIDC = { providerName: 'Auth0', issuerUrl: 'https://example.auth0.com/' };

/** The template of one BackendApiConfig whose default auth mode is `auth`. */
function templateWithDefault(auth: ApiAuth | ((stack: ReturnType<typeof newStack>['stack']) => ApiAuth)): Template {
  const { stack } = newStack(ENV);
  new BackendApiConfig(stack, 'Api', { ...REQUIRED, defaultAuthType: typeof auth === 'function' ? auth(stack) : auth });
  return Template.fromStack(stack);
}

function expectDefaultAuth(template: Template, rendered: Record<string, unknown>): void {
  template.hasResourceProperties(BACKEND_API_TYPE, { ResourceConfig: { DefaultAuthType: Match.objectEquals(rendered) } });
}

/** A BackendApiConfig factory with the given auth modes, for the validation tests. */
function build(defaultAuthType: ApiAuth | undefined, additionalAuthTypes?: ApiAuth[]): () => BackendApiConfig {
  return () => new BackendApiConfig(newStack(ENV).stack, 'Api', { ...REQUIRED, defaultAuthType, additionalAuthTypes });
}

describe('ApiAuth factories: Mode and Settings in the template', () => {
  test('ApiAuthMode (the jsii enum) has exactly the modes of the rules the handler runs too', () => {
    expect(Object.values(ApiAuthMode)).toEqual([...AUTH_MODES]);
  });

  test.each([
    ['apiKey', () => ApiAuth.apiKey(), ApiAuthMode.API_KEY],
    ['iam', () => ApiAuth.iam(), ApiAuthMode.AWS_IAM],
    ['openIdConnect', () => ApiAuth.openIdConnect(OIDC), ApiAuthMode.OPENID_CONNECT],
  ] as const)('ApiAuth.%s() has mode %s', (_name, factory, mode) => {
    expect(factory().mode).toBe(mode);
  });

  test('ApiAuth.userPool() has mode AMAZON_COGNITO_USER_POOLS', () => {
    const { stack } = newStack(ENV);
    expect(ApiAuth.userPool(cognito.UserPool.fromUserPoolId(stack, 'Pool', 'us-east-1_AbC123')).mode).toBe(ApiAuthMode.AMAZON_COGNITO_USER_POOLS);
  });

  test('apiKey() with no options: Mode API_KEY and no Settings', () => {
    expectDefaultAuth(templateWithDefault(ApiAuth.apiKey()), { Mode: 'API_KEY' });
  });

  test('apiKey({ description, expiration }): Description, and ExpirationTime in days as a string', () => {
    expectDefaultAuth(templateWithDefault(ApiAuth.apiKey({ description: 'public read', expiration: Duration.days(30) })), {
      Mode: 'API_KEY',
      Settings: { Description: 'public read', ExpirationTime: '30' },
    });
  });

  test.each([
    [Duration.hours(48), '2'],
    [Duration.days(1), '1'],
    [Duration.days(365), '365'],
    [Duration.minutes(7 * 24 * 60), '7'],
  ])('apiKey expiration %s -> ExpirationTime %p (whole days)', (expiration, days) => {
    expectDefaultAuth(templateWithDefault(ApiAuth.apiKey({ expiration })), { Mode: 'API_KEY', Settings: { ExpirationTime: days } });
  });

  test('iam(): Mode AWS_IAM and no Settings', () => {
    expectDefaultAuth(templateWithDefault(ApiAuth.iam()), { Mode: 'AWS_IAM' });
  });

  test('userPool(new pool): CognitoUserPoolId is the Ref of the pool', () => {
    let pool: cognito.UserPool | undefined;
    const template = templateWithDefault((stack) => {
      pool = new cognito.UserPool(stack, 'Users');
      return ApiAuth.userPool(pool);
    });
    expectDefaultAuth(template, { Mode: 'AMAZON_COGNITO_USER_POOLS', Settings: { CognitoUserPoolId: { Ref: logicalId(pool!) } } });
  });

  test('userPool(imported pool): CognitoUserPoolId is the pool ID', () => {
    const template = templateWithDefault((stack) => ApiAuth.userPool(cognito.UserPool.fromUserPoolId(stack, 'Pool', 'us-east-1_AbC123')));
    expectDefaultAuth(template, { Mode: 'AMAZON_COGNITO_USER_POOLS', Settings: { CognitoUserPoolId: 'us-east-1_AbC123' } });
  });

  test('openIdConnect(all options): provider name, issuer URL, client ID, and TTLs in milliseconds as strings', () => {
    const template = templateWithDefault(ApiAuth.openIdConnect({
      ...OIDC,
      clientId: 'blog-web',
      authTtl: Duration.hours(1),
      iatTtl: Duration.minutes(5),
    }));
    expectDefaultAuth(template, {
      Mode: 'OPENID_CONNECT',
      Settings: {
        OpenIDProviderName: 'Auth0',
        OpenIDIssueURL: 'https://example.auth0.com/',
        OpenIDClientId: 'blog-web',
        OpenIDAuthTTL: '3600000',
        OpenIDIatTTL: '300000',
      },
    });
  });

  test('openIdConnect(required options only): no client ID and no TTLs', () => {
    expectDefaultAuth(templateWithDefault(ApiAuth.openIdConnect(OIDC)), {
      Mode: 'OPENID_CONNECT',
      Settings: { OpenIDProviderName: 'Auth0', OpenIDIssueURL: 'https://example.auth0.com/' },
    });
  });

  test('the same factories render the same way in additionalAuthTypes', () => {
    const { stack } = newStack(ENV);
    new BackendApiConfig(stack, 'Api', {
      ...REQUIRED,
      defaultAuthType: ApiAuth.iam(),
      additionalAuthTypes: [ApiAuth.apiKey({ expiration: Duration.days(90) }), ApiAuth.openIdConnect({ ...OIDC, iatTtl: Duration.seconds(30) })],
    });
    Template.fromStack(stack).hasResourceProperties(BACKEND_API_TYPE, {
      ResourceConfig: {
        AdditionalAuthTypes: Match.exact([
          { Mode: 'API_KEY', Settings: { ExpirationTime: '90' } },
          { Mode: 'OPENID_CONNECT', Settings: { OpenIDProviderName: 'Auth0', OpenIDIssueURL: 'https://example.auth0.com/', OpenIDIatTTL: '30000' } },
        ]),
      },
    });
  });
});

describe('ApiAuth: validation through BackendApiConfig', () => {
  const EXPIRATION_FIX = 'the API key expiration must be a whole number of days from 1 to 365, e.g. Duration.days(30).';
  const expirationError = (got: string, prop = 'defaultAuthType') =>
    `BackendApiConfig: invalid ${prop} ApiAuth.apiKey({ expiration }) (got ${got}): ${EXPIRATION_FIX}`;
  const TTL_FIX = {
    authTtl: 'the token lifetime is a whole number of milliseconds, at least 1 (0 would refuse every token); use e.g. Duration.hours(1), or leave it out for no limit.',
    iatTtl: 'the issued-at lifetime is a whole number of milliseconds, at least 1 (0 would refuse every token); use e.g. Duration.hours(1), or leave it out for no limit.',
  };

  test.each([
    ['0 days', Duration.days(0), '0 days'],
    ['366 days', Duration.days(366), '366 days'],
    ['Duration.hours(36)', Duration.hours(36), '1.5 days from Duration.hours(36)'],
    ['Duration.days(1.5)', Duration.days(1.5), '1.5 days'],
    ['Duration.minutes(90)', Duration.minutes(90), '0.0625 days from Duration.minutes(90)'],
  ])('api key expiration of %s is rejected with the days and their unit (and the Duration as written in another unit)', (_label, expiration, got) => {
    expect(errorMessage(build(ApiAuth.apiKey({ expiration })))).toBe(expirationError(got));
  });

  test('api key expiration of 1 and 365 days, or 48 hours, is accepted', () => {
    expect(build(ApiAuth.apiKey({ expiration: Duration.days(1) }))).not.toThrow();
    expect(build(ApiAuth.apiKey({ expiration: Duration.days(365) }))).not.toThrow();
    expect(build(ApiAuth.apiKey({ expiration: Duration.hours(48) }))).not.toThrow();
  });

  test.each(['authTtl', 'iatTtl'] as const)('OIDC %s of 0 ms is rejected with its unit: it would refuse every token', (ttl) => {
    expect(errorMessage(build(ApiAuth.openIdConnect({ ...OIDC, [ttl]: Duration.millis(0) })))).toBe(
      `BackendApiConfig: invalid defaultAuthType ApiAuth.openIdConnect({ ${ttl} }) (got 0 ms): ${TTL_FIX[ttl]}`,
    );
  });

  test.each([
    ['Duration.seconds(0)', Duration.seconds(0), '0 ms from Duration.seconds(0)'],
    // aws-cdk-lib's toMilliseconds() would throw its own "must be a whole number of millis" at the factory call.
    ['Duration.millis(1.5)', Duration.millis(1.5), '1.5 ms'],
    ['Duration.seconds(0.0005)', Duration.seconds(0.0005), '0.5 ms from Duration.seconds(0.0005)'],
  ])('OIDC authTtl of %s is rejected with the milliseconds and their unit', (_label, authTtl, got) => {
    expect(errorMessage(build(ApiAuth.openIdConnect({ ...OIDC, authTtl })))).toBe(
      `BackendApiConfig: invalid defaultAuthType ApiAuth.openIdConnect({ authTtl }) (got ${got}): ${TTL_FIX.authTtl}`,
    );
  });

  test('a token amount in another unit than the setting\'s cannot be converted at synth time: reported with the other broken rules, not thrown by aws-cdk-lib', () => {
    let auth: ApiAuth | undefined;
    let oidc: ApiAuth | undefined;
    const message = errorMessage(() => {
      const { stack } = newStack(ENV);
      const amount = new CfnParameter(stack, 'Amount', { type: 'Number' }).valueAsNumber;
      // The factories do not throw: the construct reports the problem, scoped to itself.
      auth = ApiAuth.apiKey({ expiration: Duration.hours(amount) });
      oidc = ApiAuth.openIdConnect({ ...OIDC, iatTtl: Duration.seconds(amount) });
      new BackendApiConfig(stack, 'Api', { ...REQUIRED, appId: 'My App', defaultAuthType: auth, additionalAuthTypes: [oidc] });
    });
    expect(auth).toBeDefined();
    expect(oidc).toBeDefined();
    expect(message.split('\n')).toEqual([
      expect.stringMatching(/^BackendApiConfig: invalid appId \(got "My App"\): /),
      'BackendApiConfig: invalid defaultAuthType ApiAuth.apiKey({ expiration }) (got Duration.hours(<token>)): an amount known only at deploy time '
      + '(a CfnParameter, an attribute) cannot be converted into days at synth time; give it in days, e.g. Duration.days(param.valueAsNumber), '
      + 'a whole number from 1 to 365.',
      'BackendApiConfig: invalid additionalAuthTypes[0] ApiAuth.openIdConnect({ iatTtl }) (got Duration.seconds(<token>)): an amount known only at '
      + 'deploy time (a CfnParameter, an attribute) cannot be converted into milliseconds at synth time; give it in milliseconds, '
      + 'e.g. Duration.millis(param.valueAsNumber), a whole number of at least 1.',
    ]);
  });

  test('token amounts in the setting\'s own unit pass synth and land as Refs', () => {
    const { stack } = newStack(ENV);
    const days = new CfnParameter(stack, 'Days', { type: 'Number' });
    const ms = new CfnParameter(stack, 'Ms', { type: 'Number' });
    new BackendApiConfig(stack, 'Api', {
      ...REQUIRED,
      defaultAuthType: ApiAuth.apiKey({ expiration: Duration.days(days.valueAsNumber) }),
      additionalAuthTypes: [ApiAuth.openIdConnect({ ...OIDC, authTtl: Duration.millis(ms.valueAsNumber) })],
    });
    Template.fromStack(stack).hasResourceProperties(BACKEND_API_TYPE, {
      ResourceConfig: {
        DefaultAuthType: { Mode: 'API_KEY', Settings: { ExpirationTime: { Ref: 'Days' } } },
        AdditionalAuthTypes: [{ Mode: 'OPENID_CONNECT', Settings: Match.objectLike({ OpenIDAuthTTL: { Ref: 'Ms' } }) }],
      },
    });
  });

  test('empty api key description is rejected', () => {
    expect(build(ApiAuth.apiKey({ description: '' }))).toThrow(/invalid defaultAuthType ApiAuth\.apiKey\(\{ description \}\) \(got ""\)/);
  });

  test.each(['http://example.auth0.com/', 'not a url', 'example.auth0.com', 'ftp://example.com/'])('OIDC issuerUrl %p is rejected', (issuerUrl) => {
    expect(build(ApiAuth.openIdConnect({ providerName: 'Auth0', issuerUrl }))).toThrow(
      new RegExp(`invalid defaultAuthType ApiAuth\\.openIdConnect\\(\\{ issuerUrl \\}\\) \\(got ${JSON.stringify(issuerUrl).replace(/[./]/g, '\\$&')}\\): .*https://`),
    );
  });

  test.each([
    ['https://example.auth0.com/ tenant', 'holds spaces or control characters'],
    [' https://example.auth0.com/', 'holds spaces or control characters'],
    ['HTTPS://example.auth0.com/', 'must start with "https://" (lower case)'],
    ['https://user:secret@example.auth0.com/', 'must not carry credentials'],
    ['https://example.auth0.com/?tenant=a', 'must not have a query'],
    ['https://example.auth0.com/#top', 'must not have a fragment'],
  ])('OIDC issuerUrl %p, which the service would take and then never match a token\'s "iss", is rejected: %s', (issuerUrl, why) => {
    const message = errorMessage(build(ApiAuth.openIdConnect({ providerName: 'Auth0', issuerUrl })));
    expect(message).toContain(`invalid defaultAuthType ApiAuth.openIdConnect({ issuerUrl }) (got ${JSON.stringify(issuerUrl)}): it ${why}`);
  });

  test('an OIDC issuer with a path is accepted', () => {
    expect(build(ApiAuth.openIdConnect({ providerName: 'Cognito', issuerUrl: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC' }))).not.toThrow();
  });

  test.each([
    ['providerName', { providerName: 'Auth\n0' }, 'must not hold control characters'],
    ['clientId', { clientId: 'web ' }, 'must not start or end with spaces'],
  ] as const)('OIDC %s with control characters or spaces around it is rejected', (prop, extra, why) => {
    const message = errorMessage(build(ApiAuth.openIdConnect({ ...OIDC, ...extra })));
    expect(message).toContain(`ApiAuth.openIdConnect({ ${prop} }) ${why}`);
  });

  test('an api key description with a line break is rejected', () => {
    expect(errorMessage(build(ApiAuth.apiKey({ description: 'public\nread' })))).toContain('ApiAuth.apiKey({ description }) must not hold control characters');
  });

  test('empty OIDC providerName is rejected', () => {
    expect(build(ApiAuth.openIdConnect({ providerName: '', issuerUrl: 'https://example.auth0.com/' }))).toThrow(
      /invalid defaultAuthType ApiAuth\.openIdConnect\(\{ providerName \}\) \(got ""\)/,
    );
  });

  test('empty OIDC clientId is rejected', () => {
    expect(build(ApiAuth.openIdConnect({ ...OIDC, clientId: ' ' }))).toThrow(/invalid defaultAuthType ApiAuth\.openIdConnect\(\{ clientId \}\) \(got " "\)/);
  });

  test('the default auth mode repeated in additionalAuthTypes is rejected', () => {
    expect(build(ApiAuth.apiKey(), [ApiAuth.iam(), ApiAuth.apiKey()])).toThrow(
      /invalid additionalAuthTypes\[1\] \(got "API_KEY"\): API_KEY is already used by defaultAuthType/,
    );
  });

  test('an auth mode twice in additionalAuthTypes is rejected', () => {
    expect(build(ApiAuth.iam(), [ApiAuth.openIdConnect(OIDC), ApiAuth.openIdConnect({ ...OIDC, providerName: 'Okta' })])).toThrow(
      /invalid additionalAuthTypes\[1\] \(got "OPENID_CONNECT"\): OPENID_CONNECT is already used by additionalAuthTypes\[0\]/,
    );
  });

  test('additionalAuthTypes without defaultAuthType is rejected', () => {
    expect(build(undefined, [ApiAuth.iam()])).toThrow(/additionalAuthTypes needs defaultAuthType/);
  });

  test('a user pool imported with a malformed ID is rejected', () => {
    expect(() => {
      const { stack } = newStack(ENV);
      new BackendApiConfig(stack, 'Api', { ...REQUIRED, defaultAuthType: ApiAuth.userPool(cognito.UserPool.fromUserPoolId(stack, 'P', 'bad')) });
    }).toThrow(/invalid defaultAuthType ApiAuth\.userPool\(userPool\)\.userPoolId \(got "bad"\): .*UserPool\.fromUserPoolId/);
  });

  test('rules on an additional auth mode name its position', () => {
    expect(errorMessage(build(ApiAuth.iam(), [ApiAuth.apiKey({ expiration: Duration.days(400) })]))).toBe(expirationError('400 days', 'additionalAuthTypes[0]'));
  });

  test('all four modes once each are accepted', () => {
    expect(() => {
      const { stack } = newStack(ENV);
      new BackendApiConfig(stack, 'Api', {
        ...REQUIRED,
        defaultAuthType: ApiAuth.userPool(new cognito.UserPool(stack, 'Users')),
        additionalAuthTypes: [ApiAuth.apiKey(), ApiAuth.iam(), ApiAuth.openIdConnect(OIDC)],
      });
    }).not.toThrow();
  });

  test('every broken auth rule is reported together in one error', () => {
    const message = errorMessage(build(ApiAuth.apiKey({ expiration: Duration.days(0), description: '' }), [
      ApiAuth.openIdConnect({ providerName: '', issuerUrl: 'http://x' }),
      ApiAuth.apiKey(),
    ]));
    expect(message.split('\n')).toHaveLength(5);
    expect(message).toContain(expirationError('0 days'));
    expect(message).toMatch(/ApiAuth\.apiKey\(\{ description \}\) \(got ""\)/);
    expect(message).toMatch(/additionalAuthTypes\[0\] ApiAuth\.openIdConnect\(\{ providerName \}\) \(got ""\)/);
    expect(message).toMatch(/additionalAuthTypes\[0\] ApiAuth\.openIdConnect\(\{ issuerUrl \}\) \(got "http:\/\/x"\)/);
    expect(message).toMatch(/additionalAuthTypes\[1\] \(got "API_KEY"\): API_KEY is already used by defaultAuthType/);
  });
});
