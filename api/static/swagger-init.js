// Starts Swagger UI on /docs. A file of its own, not an inline script: the
// Content-Security-Policy allows scripts from this server only.
"use strict";
(function () {
  var script = document.currentScript;
  window.ui = SwaggerUIBundle({
    url: script.dataset.openapiUrl,
    oauth2RedirectUrl: window.location.origin + script.dataset.oauth2RedirectUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null, // the public validator is off the network, and not to be told our API
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
})();
