import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { packageInfo } from './config';

/** Swagger UI's path; the OpenAPI document is at `${API_DOCS_PATH}-json`. */
export const API_DOCS_PATH = '/docs';

/**
 * The OpenAPI document of the HTTP endpoints, from the controllers' decorators. The realtime API is a
 * WebSocket, not HTTP: the description points to its own contract.
 */
export function apiDocument(app: INestApplication, wsPath: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('realtime-rag')
    .setVersion(packageInfo.version)
    .setDescription(
      [
        'The HTTP endpoints of realtime-rag: health probes, Prometheus metrics, the demo page’s configuration, and the batch API. Only the batch API asks for a token: with AUTH_TOKENS set, `Authorization: Bearer <token>` or `?token=<token>`, as the WebSocket does; its tasks belong to that principal.',
        '',
        `The realtime API itself is a WebSocket at \`${wsPath}\` (WS_PATH), not HTTP, so it is not described here: its messages are described by \`docs/asyncapi.yaml\` in the repository (an [AsyncAPI 3.0](https://www.asyncapi.com/docs/reference/specification/v3.0.0) document), its use by \`docs/integrating.md\`. Clients authenticate the upgrade with \`Authorization: Bearer <token>\` or \`?token=<token>\` (AUTH_TOKENS).`,
      ].join('\n'),
    )
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Swagger UI at `/docs` and the document at `/docs-json`, served from node_modules (swagger-ui-dist): nothing from the internet. */
export function setUpApiDocs(app: INestApplication, wsPath: string): void {
  SwaggerModule.setup(API_DOCS_PATH, app, () => apiDocument(app, wsPath), {
    raw: ['json'],
    jsonDocumentUrl: `${API_DOCS_PATH}-json`,
    customSiteTitle: 'realtime-rag HTTP API',
    // No validator badge: Swagger UI would have validator.swagger.io fetch the document.
    swaggerOptions: { validatorUrl: 'none' },
  });
}
