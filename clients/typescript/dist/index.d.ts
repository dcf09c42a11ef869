export * from './gen/index.js';
export { type Client, createClient } from './gen/client/index.js';
export { PhoneauthCaptchaRequiredError, PhoneauthError, PhoneauthNetworkError, PhoneauthRateLimitError, PhoneauthSessionMissingError, PhoneauthValidationError, toPhoneauthError, } from './errors.js';
export { type AuthChangeEvent, type AuthStateListener, creationOptions, credentialJSON, isMfaRequired, requestOptions, type LogoutScope, Phoneauth, type PhoneauthOptions, type Proof, reauthRequired, type SendOptions, REFRESH_MARGIN_MS, type ResetPasswordWithCode, type SignupWithCode, } from './phoneauth.js';
export { memoryStorage, type Session, type StorageAdapter, type StorageOption } from './storage.js';
//# sourceMappingURL=index.d.ts.map