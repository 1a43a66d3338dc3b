/**
 * Local emulator of the AWS AmplifyBackend (Amplify Admin UI) service for tests.
 *
 * Usage:
 *   const emulator = await AmplifyBackendEmulator.start({ pollsUntilComplete: 2 });
 *   emulator.addApp('app1', { environments: { dev: { apis: { myapi: { apiName: 'myapi' } } } } });
 *   const client = new AmplifyBackendClient({ endpoint: emulator.endpoint, region: 'us-east-1',
 *     credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 });
 *   ...
 *   await emulator.stop();
 *
 * Implementation: `./emulator/server.ts` (class + behaviour), `./emulator/model.ts` (wire types,
 * routes, validation), `./emulator/types.ts` (options, records, faults).
 */
export * from './emulator/model';
export * from './emulator/types';
export * from './emulator/server';
