import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { ApiAuth, ApiAuthMode, BackendApiConfig } from '../src';
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
  test.each([
    ['0 days', Duration.days(0), '0'],
    ['366 days', Duration.days(366), '366'],
    ['1.5 days (Duration.hours(36))', Duration.hours(36), '1.5'],
  ])('api key expiration of %s is rejected', (_label, expiration, shown) => {
    expect(build(ApiAuth.apiKey({ expiration }))).toThrow(
      new RegExp(`invalid defaultAuthType ApiAuth\\.apiKey\\(\\{ expiration \\}\\) \\(got "${shown.replace('.', '\\.')}"\\): .*whole number of days from 1 to 365`),
    );
  });

  test('api key expiration of 1 and 365 days is accepted', () => {
    expect(build(ApiAuth.apiKey({ expiration: Duration.days(1) }))).not.toThrow();
    expect(build(ApiAuth.apiKey({ expiration: Duration.days(365) }))).not.toThrow();
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

  test.each(['authTtl', 'iatTtl'] as const)('OIDC %s of 0 is rejected: it would refuse every token', (ttl) => {
    expect(errorMessage(build(ApiAuth.openIdConnect({ ...OIDC, [ttl]: Duration.millis(0) })))).toContain(`ApiAuth.openIdConnect({ ${ttl} }) (got "0"): `);
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
    expect(build(ApiAuth.iam(), [ApiAuth.apiKey({ expiration: Duration.days(400) })])).toThrow(
      /invalid additionalAuthTypes\[0\] ApiAuth\.apiKey\(\{ expiration \}\) \(got "400"\)/,
    );
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
    expect(message).toMatch(/ApiAuth\.apiKey\(\{ expiration \}\) \(got "0"\)/);
    expect(message).toMatch(/ApiAuth\.apiKey\(\{ description \}\) \(got ""\)/);
    expect(message).toMatch(/additionalAuthTypes\[0\] ApiAuth\.openIdConnect\(\{ providerName \}\) \(got ""\)/);
    expect(message).toMatch(/additionalAuthTypes\[0\] ApiAuth\.openIdConnect\(\{ issuerUrl \}\) \(got "http:\/\/x"\)/);
    expect(message).toMatch(/additionalAuthTypes\[1\] \(got "API_KEY"\): API_KEY is already used by defaultAuthType/);
  });
});
