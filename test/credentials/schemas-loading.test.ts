import assert from 'node:assert/strict';
import { join } from 'node:path';
import request from 'supertest';
import {
  CredentialSchemaError,
  createSchemaRegistry,
  loadCredentialSchemas,
  loadJsonLdContexts,
  schemaRoutes,
  schemaUrl,
} from '../../src/credentials/schemas/index.js';
import { appWithRouters } from '../support/routers.js';
import { directoryWith } from '../support/temp-dir.js';

const SHIPPED_CREDENTIAL_SCHEMAS = new URL('../../credential-schemas', import.meta.url).pathname;
const registry = createSchemaRegistry(loadCredentialSchemas(SHIPPED_CREDENTIAL_SCHEMAS));

describe('credential schemas: loading credential-schemas/{Type}/{version}.json and serving them', () => {
  describe('versions', () => {
    it('takes the highest version as latest (v10 after v2), and validates against a named one', () => {
      const thing = (version: string, required: string[]) => ({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: `urn:dataspace-trust:schema:ThingCredential:${version}`,
        type: 'object',
        properties: { a: { type: 'number' }, b: { type: 'number' } },
        required,
      });
      const { dir, remove } = directoryWith({
        'ThingCredential/v1.json': thing('v1', []),
        'ThingCredential/v2.json': thing('v2', ['a']),
        'ThingCredential/v10.json': thing('v10', ['b']),
      });
      try {
        const things = createSchemaRegistry(loadCredentialSchemas(dir));
        assert.equal(things.forType('ThingCredential')?.version, 'v10');
        assert.equal(things.validate('ThingCredential', { a: 1 }).valid, false);
        assert.equal(things.validate('ThingCredential', { a: 1 }, 'v2').valid, true);
        assert.deepEqual(
          things.list().map((schema) => schema.version),
          ['v1', 'v2', 'v10'],
        );
      } finally {
        remove();
      }
    });
  });

  describe('loading: a bad schema stops the start, naming the file', () => {
    const base = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'urn:dataspace-trust:schema:XCredential:v1',
      type: 'object',
    };
    const cases: [string, string, unknown, string, RegExp][] = [
      ['bad JSON', 'v1.json', '{', 'credential_schema_invalid_json', /not valid JSON/],
      ['a non-object', 'v1.json', [], 'credential_schema_invalid', /must be a JSON object/],
      [
        'draft-07',
        'v1.json',
        { ...base, $schema: 'http://json-schema.org/draft-07/schema#' },
        'credential_schema_invalid',
        /\$schema must be/,
      ],
      [
        'an $id for another type',
        'v1.json',
        { ...base, $id: 'urn:dataspace-trust:schema:YCredential:v1' },
        'credential_schema_invalid',
        /\$id must be urn:dataspace-trust:schema:XCredential:v1/,
      ],
      [
        'an unknown keyword (strict mode)',
        'v1.json',
        { ...base, requierd: ['a'] },
        'credential_schema_invalid',
        /not a valid JSON Schema: strict mode: unknown keyword: "requierd"/,
      ],
      [
        'an unknown format',
        'v1.json',
        { ...base, properties: { a: { type: 'string', format: 'color' } } },
        'credential_schema_invalid',
        /unknown format "color"/,
      ],
      [
        'an invalid type',
        'v1.json',
        { ...base, type: 'thing' },
        'credential_schema_invalid',
        /not a valid JSON Schema/,
      ],
      [
        'a file name that is not a version',
        'latest.json',
        base,
        'credential_schema_invalid',
        /file name must be a version/,
      ],
    ];
    for (const [what, name, content, code, message] of cases) {
      it(`rejects ${what} (${code})`, () => {
        const { dir, remove } = directoryWith({ 'README.md': '# ignored', [`XCredential/${name}`]: content });
        try {
          const file = join(dir, 'XCredential', name);
          assert.throws(
            () => loadCredentialSchemas(dir),
            (error: unknown) =>
              error instanceof CredentialSchemaError &&
              error.code === code &&
              error.file === file &&
              error.message.startsWith(`${file}: `) &&
              message.test(error.message),
          );
        } finally {
          remove();
        }
      });
    }

    it('rejects a directory that does not exist (credential_schemas_unreadable)', () => {
      assert.throws(
        () => loadCredentialSchemas('/nonexistent/credential-schemas'),
        (error: unknown) =>
          error instanceof CredentialSchemaError && error.code === 'credential_schemas_unreadable',
      );
    });
  });

  describe('GET /api/v1/schemas', () => {
    const app = appWithRouters(
      schemaRoutes(
        registry,
        'https://trust.dataspace.example/',
        loadJsonLdContexts(SHIPPED_CREDENTIAL_SCHEMAS),
      ),
    ).callback();

    it('lists type, version, $id and public URL', async () => {
      const response = await request(app).get('/api/v1/schemas').expect(200);
      assert.equal(response.body.total, 7);
      assert.deepEqual(
        response.body.items.find((item: { type: string }) => item.type === 'LegalPersonCredential'),
        {
          type: 'LegalPersonCredential',
          version: 'v1',
          id: 'urn:dataspace-trust:schema:LegalPersonCredential:v1',
          url: 'https://trust.dataspace.example/api/v1/schemas/LegalPersonCredential/v1',
          latest: true,
        },
      );
    });

    it('serves one schema as application/schema+json at its public URL', async () => {
      const url = schemaUrl('https://trust.dataspace.example', 'MembershipCredential', 'v1');
      const response = await request(app).get(new URL(url).pathname).expect(200);
      assert.match(response.headers['content-type'] ?? '', /^application\/schema\+json/);
      const schema = JSON.parse(response.text);
      assert.equal(schema.$id, 'urn:dataspace-trust:schema:MembershipCredential:v1');
    });

    for (const path of [
      '/api/v1/schemas/PassportCredential/v1',
      '/api/v1/schemas/LegalPersonCredential/v2',
      '/api/v1/schemas/LegalPersonCredential/V1',
    ]) {
      it(`answers 404 not_found for ${path}`, async () => {
        const response = await request(app).get(path).expect(404);
        assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
        assert.equal(response.body.code, 'not_found');
      });
    }
  });
});
