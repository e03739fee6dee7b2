import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3 } from 'openapi-types';
import { Stack, startStack } from './support/stack';
import { openApiAjv } from './support/openapi-ajv';

interface RouterLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every route the app serves, as `GET /health/ready`, from Express's router itself (`:id` written `{id}`, as OpenAPI does). */
function servedRoutes(stack: Stack): string[] {
  const express = stack.app.getHttpAdapter().getInstance() as { router: { stack: RouterLayer[] } };
  return express.router.stack.flatMap(({ route }) =>
    route
      ? Object.keys(route.methods)
          .filter((method) => route.methods[method])
          .map((method) => `${method.toUpperCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`)
      : [],
  );
}

/**
 * Served but rightly not in the document: the demo page's client library (static files),
 * Swagger UI and the document themselves, and the catch-all wildcards of the 404 fallbacks.
 */
const NOT_API = [/^GET \/client\/\{\*any\}$/, /^GET \/docs(-json)?(\/.*)?$/, /^[A-Z-]+ \/\{\*path\}$/];

const documentedRoutes = (document: OpenAPIV3.Document): string[] =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item ?? {})
      .filter((key) => ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'].includes(key))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );

const dereference = async (document: OpenAPIV3.Document) =>
  (await SwaggerParser.dereference(structuredClone(document) as never)) as OpenAPIV3.Document;

const ajv = openApiAjv();

/** The response's status is one the operation documents; so is its content type, when it has a body the document describes; a JSON body matches its schema. */
async function expectDocumented(document: OpenAPIV3.Document, method: 'get', path: string, response: Response): Promise<void> {
  const documented = document.paths[path]?.[method]?.responses[String(response.status)] as OpenAPIV3.ResponseObject | undefined;
  expect({ path, status: response.status, documented: documented !== undefined }).toEqual({
    path,
    status: response.status,
    documented: true,
  });
  const body = await response.text();
  if (!documented?.content) return;
  const type = response.headers.get('content-type') ?? '';
  const media = Object.entries(documented.content).find(([name]) => type.startsWith(name.split(';')[0]));
  expect({ path, type, media: media?.[0] }).toEqual({ path, type, media: expect.any(String) });
  const schema = media?.[1].schema;
  if (schema && type.startsWith('application/json')) {
    const validate = ajv.compile(schema);
    const json: unknown = JSON.parse(body);
    expect({ path, json, errors: validate(json) ? null : validate.errors }).toEqual({ path, json, errors: null });
  }
}

describe('the HTTP API documentation at /docs (e2e)', () => {
  let stack: Stack;
  let document: OpenAPIV3.Document;
  beforeAll(async () => {
    stack = await startStack();
    const response = await fetch(`${stack.httpUrl}/docs-json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    document = (await response.json()) as OpenAPIV3.Document;
  });
  afterAll(() => stack.close());

  it('serves a valid OpenAPI 3 document that points to the WebSocket contract', async () => {
    expect(document.openapi).toMatch(/^3\.0\./);
    // Throws, with every problem, unless the document is valid against the OpenAPI 3.0 schema and its $refs resolve.
    await SwaggerParser.validate(structuredClone(document) as never);
    expect(document.info.description).toContain('docs/asyncapi.yaml');
    expect(document.info.description).toContain('/ws/realtime-asr');
  });

  it('documents every route the app serves, with its method, and no route it does not serve', () => {
    const served = servedRoutes(stack).filter((route) => !NOT_API.some((pattern) => pattern.test(route)));
    expect(served.length).toBeGreaterThanOrEqual(4);
    expect(documentedRoutes(document).sort()).toEqual([...new Set(served)].sort());
  });

  it('every documented GET answers with a status it documents, its body as documented', async () => {
    const dereferenced = await dereference(document);
    for (const [path, item] of Object.entries(dereferenced.paths)) {
      if (item?.get) await expectDocumented(dereferenced, 'get', path, await fetch(`${stack.httpUrl}${path}`));
    }
  });

  it('the answers other than 200 are documented too: not ready (503), no demo page (404)', async () => {
    const dereferenced = await dereference(document);
    const bare = await startStack({ env: { DEMO_PAGE: 'false' } });
    try {
      await bare.dify.close();
      const ready = await fetch(`${bare.httpUrl}/health/ready`);
      expect(ready.status).toBe(503);
      await expectDocumented(dereferenced, 'get', '/health/ready', ready);
      for (const path of ['/demo/config', '/demo/speech']) {
        const demo = await fetch(`${bare.httpUrl}${path}`);
        expect(demo.status).toBe(404);
        await expectDocumented(dereferenced, 'get', path, demo);
      }
    } finally {
      await bare.app.close();
    }
  });

  it('serves Swagger UI at /docs from its own assets: nothing from elsewhere', async () => {
    const page = await fetch(`${stack.httpUrl}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map(([, url]) => url);
    expect(references.length).toBeGreaterThan(0);
    for (const url of references) {
      expect(url).not.toMatch(/^(https?:)?\/\//);
      expect({ url, status: (await fetch(new URL(url, `${stack.httpUrl}/docs`))).status }).toEqual({ url, status: 200 });
    }
    // The script embeds the document: the links of its description are its only addresses.
    const init = await (await fetch(`${stack.httpUrl}/docs/swagger-ui-init.js`)).text();
    const addresses = (text: string) => new Set(text.match(/https?:\/\/[^\s"'`)\\]+/g));
    expect([...addresses(init)].filter((url) => !addresses(JSON.stringify(document)).has(url))).toEqual([]);
  });
});
