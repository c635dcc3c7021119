// Mounts the embedded Scalar API reference on /openapi.json. Everything it
// needs is served by this server: no fonts, telemetry, AI agent or proxy
// from outside, so it works offline. Paths are relative to /docs, so it
// also works behind a proxy that serves agentplane under a prefix.
(function () {
  var root = new URL(".", document.baseURI).href.replace(/\/$/, "");
  Scalar.createApiReference("#app", {
    url: root + "/openapi.json",
    servers: [{ url: root, description: "This server" }],
    withDefaultFonts: false,
    telemetry: false,
    agent: { disabled: true },
    mcp: { disabled: true },
    showOperationId: true,
    showDeveloperTools: "never",
    persistAuth: false,
  });
})();
