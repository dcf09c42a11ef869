"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __exportStar = (this && this.__exportStar) || function(m, exports) {
    for (var p in m) if (p !== "default" && !Object.prototype.hasOwnProperty.call(exports, p)) __createBinding(exports, m, p);
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.memoryStorage = exports.REFRESH_MARGIN_MS = exports.reauthRequired = exports.Phoneauth = exports.requestOptions = exports.isMfaRequired = exports.credentialJSON = exports.creationOptions = exports.toPhoneauthError = exports.PhoneauthValidationError = exports.PhoneauthSessionMissingError = exports.PhoneauthRateLimitError = exports.PhoneauthNetworkError = exports.PhoneauthError = exports.PhoneauthCaptchaRequiredError = exports.createClient = void 0;
// @phoneauth/client: the SDK generated from openapi.yaml (src/gen/, by make client) and Phoneauth, which wraps
// the API's flows and keeps the session they open: storage, refresh, auth-state events, tabs. Everything
// generated is re-exported for the endpoints Phoneauth does not wrap; call it with `client: auth.client`.
__exportStar(require("./gen/index.js"), exports);
var index_js_1 = require("./gen/client/index.js");
Object.defineProperty(exports, "createClient", { enumerable: true, get: function () { return index_js_1.createClient; } });
var errors_js_1 = require("./errors.js");
Object.defineProperty(exports, "PhoneauthCaptchaRequiredError", { enumerable: true, get: function () { return errors_js_1.PhoneauthCaptchaRequiredError; } });
Object.defineProperty(exports, "PhoneauthError", { enumerable: true, get: function () { return errors_js_1.PhoneauthError; } });
Object.defineProperty(exports, "PhoneauthNetworkError", { enumerable: true, get: function () { return errors_js_1.PhoneauthNetworkError; } });
Object.defineProperty(exports, "PhoneauthRateLimitError", { enumerable: true, get: function () { return errors_js_1.PhoneauthRateLimitError; } });
Object.defineProperty(exports, "PhoneauthSessionMissingError", { enumerable: true, get: function () { return errors_js_1.PhoneauthSessionMissingError; } });
Object.defineProperty(exports, "PhoneauthValidationError", { enumerable: true, get: function () { return errors_js_1.PhoneauthValidationError; } });
Object.defineProperty(exports, "toPhoneauthError", { enumerable: true, get: function () { return errors_js_1.toPhoneauthError; } });
var phoneauth_js_1 = require("./phoneauth.js");
Object.defineProperty(exports, "creationOptions", { enumerable: true, get: function () { return phoneauth_js_1.creationOptions; } });
Object.defineProperty(exports, "credentialJSON", { enumerable: true, get: function () { return phoneauth_js_1.credentialJSON; } });
Object.defineProperty(exports, "isMfaRequired", { enumerable: true, get: function () { return phoneauth_js_1.isMfaRequired; } });
Object.defineProperty(exports, "requestOptions", { enumerable: true, get: function () { return phoneauth_js_1.requestOptions; } });
Object.defineProperty(exports, "Phoneauth", { enumerable: true, get: function () { return phoneauth_js_1.Phoneauth; } });
Object.defineProperty(exports, "reauthRequired", { enumerable: true, get: function () { return phoneauth_js_1.reauthRequired; } });
Object.defineProperty(exports, "REFRESH_MARGIN_MS", { enumerable: true, get: function () { return phoneauth_js_1.REFRESH_MARGIN_MS; } });
var storage_js_1 = require("./storage.js");
Object.defineProperty(exports, "memoryStorage", { enumerable: true, get: function () { return storage_js_1.memoryStorage; } });
//# sourceMappingURL=index.js.map