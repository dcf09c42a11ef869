// @phoneauth/client: the SDK generated from openapi.yaml (src/gen/, by make client) and Phoneauth, which wraps
// the API's flows and keeps the session they open: storage, refresh, auth-state events, tabs. Everything
// generated is re-exported for the endpoints Phoneauth does not wrap; call it with `client: auth.client`.
export * from './gen/index.js';
export { createClient } from './gen/client/index.js';
export { PhoneauthCaptchaRequiredError, PhoneauthError, PhoneauthNetworkError, PhoneauthRateLimitError, PhoneauthSessionMissingError, PhoneauthValidationError, toPhoneauthError, } from './errors.js';
export { creationOptions, credentialJSON, isMfaRequired, requestOptions, Phoneauth, reauthRequired, REFRESH_MARGIN_MS, } from './phoneauth.js';
export { memoryStorage } from './storage.js';
//# sourceMappingURL=index.js.map