/** The HTTP side of the server: the Hono app, its OpenAPI document and published schemas. */
export { createApp } from "./app.js";
export { docsPage, openApiDocument } from "./openapi.js";
export { BASE_STATE_SCHEMA, WireObservationSchema, wireSchemas } from "./schemas.js";
export { DEFAULT_WEB_ROOT, mountWeb, resolveAsset } from "./static.js";
