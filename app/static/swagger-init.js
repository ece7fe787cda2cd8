// Starts Swagger UI on /api/v1/docs. The page's settings come from a JSON data
// block (not executed), so the Content-Security-Policy needs no inline script.
window.addEventListener("load", function () {
  var settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  var config = {url: settings.spec_url, dom_id: "#swagger-ui-container"};
  for (var name in settings.override) { config[name] = settings.override[name]; }
  window.ui = SwaggerUIBundle(config);
});
