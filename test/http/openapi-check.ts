import { strict as assert } from 'node:assert';
import type Router from '@koa/router';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type Koa from 'koa';
import type request from 'supertest';

type Json = Record<string, unknown>;
export type Document = Json & { paths: Record<string, Record<string, Json>>; components: Json };

const COMPONENTS_ID = 'urn:test:openapi-components';
export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** A fresh ajv (2020-12, strict, formats): it refuses any schema that is not valid 2020-12. */
export function newAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormatsModule.default(ajv);
  return ajv;
}

/** The schemas of the document, with `#/components/schemas/X` rewritten to a schema ajv can load. */
function rewritten<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value).replaceAll('"#/components/schemas/', `"${COMPONENTS_ID}#/$defs/`),
  ) as T;
}

/** Follows a `#/components/...` reference of the document. */
export function resolve(document: Document, value: Json): Json {
  const target = value.$ref;
  if (typeof target !== 'string') return value;
  assert.ok(target.startsWith('#/'), `only local references: ${target}`);
  let node: unknown = document;
  for (const part of target.slice(2).split('/')) node = (node as Json | undefined)?.[part];
  assert.ok(node && typeof node === 'object', `the reference ${target} resolves`);
  return node as Json;
}

/** Every `$ref` anywhere in the document. */
export function references(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) references(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') found.push(child);
      else references(child, found);
    }
  }
  return found;
}

/** `/api/v1/members/:did` → `/api/v1/members/{did}`. */
export function template(koaPath: string): string {
  return koaPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** The method + path of every route of the app's one root router (HEAD is implied by GET). */
export function appRoutes(app: Koa): { method: string; path: string }[] {
  const dispatch = app.middleware.find((middleware) => (middleware as { router?: Router }).router) as
    | { router: Router }
    | undefined;
  assert.ok(dispatch, 'the app has a root router');
  const routes: { method: string; path: string }[] = [];
  for (const layer of dispatch.router.stack as unknown as { path: string; methods: string[] }[]) {
    for (const method of layer.methods) {
      if (method === 'HEAD') continue;
      routes.push({ method: method.toLowerCase(), path: template(layer.path) });
    }
  }
  return routes;
}

/**
 * Checks answers against the document: the status is described for the operation (or its
 * `default`), the media type is the described one, the body validates against its schema,
 * and every required header is present. Remembers which operations and statuses it saw.
 */
export class ResponseChecker {
  private readonly ajv = newAjv();
  private readonly validators = new Map<string, ValidateFunction>();
  readonly seen = new Set<string>();

  constructor(private readonly document: Document) {
    this.ajv.addSchema({ $id: COMPONENTS_ID, $defs: rewritten(document.components.schemas) });
  }

  /** Compiles one schema of the document (its component references resolved); throws if it is not valid 2020-12. */
  compile(schema: unknown): ValidateFunction {
    return this.ajv.compile(rewritten(schema) as object);
  }

  check(method: string, path: string, response: request.Response): request.Response {
    const operation = this.document.paths[path]?.[method];
    assert.ok(operation, `${method.toUpperCase()} ${path} is described`);
    const responses = operation.responses as Record<string, Json>;
    const status = String(response.status);
    const described = responses[status] ?? responses.default;
    assert.ok(described, `${method.toUpperCase()} ${path} describes the status ${status}`);
    const answer = resolve(this.document, described);
    this.seen.add(`${method} ${path} ${status}`);
    for (const [name, header] of Object.entries((answer.headers ?? {}) as Record<string, Json>)) {
      if (header.required) assert.ok(response.headers[name.toLowerCase()], `${status} carries ${name}`);
    }
    const content = answer.content as Record<string, { schema: Json }> | undefined;
    if (!content) {
      assert.equal(response.text ?? '', '', `${method.toUpperCase()} ${path} ${status} has no body`);
      return response;
    }
    const mediaType = (response.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    const media = content[mediaType];
    assert.ok(media, `${method.toUpperCase()} ${path} ${status} is described as ${mediaType}`);
    const key = `${method} ${path} ${status} ${mediaType}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.compile(media.schema);
      this.validators.set(key, validate);
    }
    const body = /json/.test(mediaType) ? JSON.parse(response.text) : response.text;
    assert.ok(
      validate(body),
      `${method.toUpperCase()} ${path} ${status}: ${this.ajv.errorsText(validate.errors)}\n${response.text.slice(0, 500)}`,
    );
    return response;
  }
}

/**
 * No OpenAPI 3.1 meta-schema validator installs offline here, so this is the structural core
 * of the 3.1 schema (the fields every object must have); each schema inside is then compiled
 * by ajv 2020-12 in strict mode, and every reference is resolved.
 */
export const OPENAPI_31_CORE = {
  type: 'object',
  required: ['openapi', 'info', 'paths', 'jsonSchemaDialect', 'servers'],
  properties: {
    openapi: { type: 'string', pattern: '^3\\.1\\.\\d+$' },
    jsonSchemaDialect: { const: 'https://json-schema.org/draft/2020-12/schema' },
    info: {
      type: 'object',
      required: ['title', 'version'],
      properties: { title: { type: 'string' }, version: { type: 'string' } },
    },
    servers: {
      type: 'array',
      minItems: 1,
      items: { type: 'object', required: ['url'], properties: { url: { type: 'string' } } },
    },
    paths: {
      type: 'object',
      propertyNames: { pattern: '^/' },
      additionalProperties: {
        type: 'object',
        propertyNames: { enum: [...HTTP_METHODS] },
        additionalProperties: {
          type: 'object',
          required: ['operationId', 'responses'],
          properties: {
            operationId: { type: 'string' },
            parameters: {
              type: 'array',
              items: {
                type: 'object',
                required: ['name', 'in', 'schema'],
                properties: {
                  name: { type: 'string' },
                  in: { enum: ['path', 'query', 'header', 'cookie'] },
                  schema: { type: 'object' },
                },
              },
            },
            responses: {
              type: 'object',
              minProperties: 1,
              propertyNames: { pattern: '^([1-5]\\d\\d|default)$' },
              additionalProperties: {
                type: 'object',
                oneOf: [
                  { type: 'object', required: ['$ref'], properties: { $ref: { type: 'string' } } },
                  {
                    type: 'object',
                    required: ['description'],
                    properties: { description: { type: 'string' } },
                  },
                ],
              },
            },
          },
        },
      },
    },
  },
};

/** Every JSON Schema in the document: component schemas, parameters, bodies, answers. */
export function schemasOf(document: Document): unknown[] {
  const found: unknown[] = [];
  const walk = (value: unknown, key?: string) => {
    if (key === 'schema') found.push(value);
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k);
  };
  walk(document.paths);
  walk(document.components.responses);
  return [...found, ...Object.values(document.components.schemas as Record<string, unknown>)];
}
