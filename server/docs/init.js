// Starts Swagger UI on the spec embedded in this binary. It is a file rather than an inline script so that
// the page's Content-Security-Policy can forbid inline scripts.
window.addEventListener('DOMContentLoaded', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    // A pasted token stays in this tab's memory, never in localStorage.
    persistAuthorization: false,
    // The page shows this service's spec only: no ?url= or ?configUrl= from the address bar.
    queryConfigEnabled: false,
    // No badge fetched from validator.swagger.io.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
