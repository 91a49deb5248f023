// /docs with the Swagger UI build: the API documentation of this server's own OpenAPI document, nothing else.
// A file, not an inline script, so the page keeps the strict Content-Security-Policy of every page.
(function () {
  "use strict";
  var element = document.getElementById("swagger-ui");
  if (!element || typeof SwaggerUIBundle === "undefined") {
    return; // the plain list below stays (it is shown when the bundle did not load)
  }
  document.getElementById("plain-endpoints").hidden = true;
  window.algokgSwagger = SwaggerUIBundle({
    url: new URL(element.dataset.url, window.location.href).toString(),
    domNode: element,
    deepLinking: true,
    validatorUrl: null, // the default asks swagger.io to validate the document
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
})();
