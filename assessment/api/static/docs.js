// Starts Swagger UI on the API's own OpenAPI document (a file, not inline script: the site's CSP allows no inline code).
"use strict";
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-spec"),
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    tryItOutEnabled: true
  });
})();
