// Starts Swagger UI on the OpenAPI document the page names (served from this service: /docs).
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    validatorUrl: null, // no badge from validator.swagger.io
  });
});
