// @phoneauth/client: the SDK generated from openapi.yaml (src/gen/, by make client) and Phoneauth, which wraps
// the API's flows and keeps the session they open: storage, refresh, auth-state events, tabs. Everything
// generated is re-exported for the endpoints Phoneauth does not wrap; call it with `client: auth.client`.
export * from './gen/index.js';
export { type Client, createClient } from './gen/client/index.js';

export {
  PhoneauthCaptchaRequiredError,
  PhoneauthError,
  PhoneauthNetworkError,
  PhoneauthRateLimitError,
  PhoneauthSessionMissingError,
  PhoneauthValidationError,
  toPhoneauthError,
} from './errors.js';
export {
  type AuthChangeEvent,
  type AuthStateListener,
  creationOptions,
  credentialJSON,
  isMfaRequired,
  requestOptions,
  type LogoutScope,
  Phoneauth,
  type PhoneauthOptions,
  type Proof,
  reauthRequired,
  type SendOptions,
  REFRESH_MARGIN_MS,
  type ResetPasswordWithCode,
  type SignupWithCode,
} from './phoneauth.js';
export { memoryStorage, type Session, type StorageAdapter, type StorageOption } from './storage.js';
