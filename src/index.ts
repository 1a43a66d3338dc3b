export * from './api-auth';
export * from './backend-api-config';
export * from './admin-ui-login-config';
export * from './provider';
export * from './api-schema';
