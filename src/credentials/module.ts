/**
 * The credentials capability, assembled: DID resolution, trust anchors, schemas, status
 * lists, the issuer and the verification pipeline, with their routes. The composition root
 * calls `openCredentials`; other capabilities use what it returns.
 */

import type Router from '@koa/router';
import type { DataSource } from 'typeorm';
import type { Config } from '../config/index.js';
import type { DatabaseListener } from '../db/listener.js';
import { createDidResolver, type DidDocument, type DidResolver, fetchBounded } from '../did/index.js';
import type { LaneRoute } from '../http/lane/index.js';
import type { PublishedKey, ServiceIdentity } from '../identity/index.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/index.js';
import {
  createTrustRegistry,
  loadTrustAnchors,
  type MemberIssuerSource,
  type TrustRegistry,
  trustRoutes,
} from '../trust/index.js';
import { CredentialIssuer } from './issue/issuer.js';
import { type KeyUsage, keyUsage } from './key-usage.js';
import { databaseNonceStore, type TransactionalNonceStore } from './nonce-store.js';
import { type VerificationObserver, verificationRoutes, verifyCredentialRoute } from './routes.js';
import {
  contextUrl,
  createSchemaRegistry,
  DATASPACE_CONTEXT,
  loadCredentialSchemas,
  loadJsonLdContexts,
  type SchemaRegistry,
  schemaRoutes,
} from './schemas/index.js';
import {
  createTokenStatusLookup,
  loadVctRegistry,
  sdJwtRoutes,
  TokenStatusListPublisher,
  tokenStatusListUrl,
} from './sd-jwt/index.js';
import { createIssuerKeys } from './sd-jwt/issuer-metadata.js';
import { serviceSigner } from './sign.js';
import {
  decodeList,
  StatusListPublisher,
  StatusService,
  statusListUrl,
  statusRoutes,
} from './status/index.js';
import { type ListeningRevisionWatch, listeningRevisionWatch } from './status/revision-watch.js';
import { didKeyLookup, issuerSchemas, registrySchemas, registryTrust } from './verify/adapters.js';
import type { CredentialVerificationResult, PresentationVerificationResult } from './verify/result.js';
import { createStatusListLookup, type StatusListSource } from './verify/status-lists.js';
import { type CredentialVerifierDeps, verifyCredential } from './verify/verify-credential.js';
import {
  type PresentationExpectations,
  type PresentationVerifierDeps,
  verifyPresentation,
} from './verify/verify-presentation.js';

/** The data space's own credential types, which the service itself is trusted to issue. */
export const SERVICE_CREDENTIAL_TYPES = [
  'MembershipCredential',
  'BoardMemberCredential',
  'ConsentReceiptCredential',
  'DataSharingAgreementCredential',
] as const;

export interface CredentialsOptions {
  readonly config: Config;
  readonly dataSource: DataSource;
  readonly identity: ServiceIdentity;
  readonly now?: () => Date;
  /** Admitted members that the rulebook lets issue some types (governance supplies this). */
  readonly members?: MemberIssuerSource;
  /** For tests: how DID documents are fetched (custom DNS, CA). */
  readonly resolver?: DidResolver;
  /** Where the status-change listener reports losing and regaining its connection. */
  readonly logger?: Logger;
  /** PostgreSQL: the process's shared listening connection, on which status changes are announced. */
  readonly connection?: DatabaseListener;
  /** Verification results, status-list and did:web fetches are counted here when given. */
  readonly metrics?: Metrics;
}

export interface Credentials {
  readonly issuer: CredentialIssuer;
  readonly status: StatusService;
  readonly trust: TrustRegistry;
  readonly schemas: SchemaRegistry;
  readonly resolver: DidResolver;
  readonly nonces: TransactionalNonceStore;
  readonly deps: PresentationVerifierDeps;
  readonly routers: readonly Router[];
  /** Its routes the connector lane answers without koa (src/http/lane); the routers hold them too. */
  readonly laneRoutes: readonly LaneRoute[];
  /** On PostgreSQL: the LISTEN connection that announces status changes of every replica. */
  readonly statusWatch: ListeningRevisionWatch | undefined;
  verifyCredential(token: unknown): Promise<CredentialVerificationResult>;
  /** What still depends on keys about to be retired (see key-usage.ts). */
  keyUsage(retiring: readonly PublishedKey[], published: readonly PublishedKey[]): Promise<KeyUsage[]>;
  verifyPresentation(
    token: unknown,
    expected: PresentationExpectations,
  ): Promise<PresentationVerificationResult>;
  /** Closes the status-change listener. */
  close(): Promise<void>;
}

const STATUS_LIST_MAX_BYTES = 256 * 1024;

export function openCredentials(options: CredentialsOptions): Credentials {
  const { config, dataSource, identity } = options;
  const now = options.now ?? (() => new Date());
  const signer = serviceSigner(identity);
  const schemas = createSchemaRegistry(loadCredentialSchemas(config.credentialSchemasDir));
  const contexts = loadJsonLdContexts(config.credentialSchemasDir);
  const dataspaceContext = contexts.latest(DATASPACE_CONTEXT);
  if (!dataspaceContext) throw new Error('the dataspace JSON-LD context is missing');
  const trust = createTrustRegistry({
    anchors: loadTrustAnchors(config.trustAnchorsDir, {
      developmentMode: config.developmentMode,
      onSkipped: (file) =>
        options.logger?.warn(
          { file },
          'development-only trust anchor left out: PUBLIC_URL is not on loopback',
        ),
    }),
    serviceDid: identity.did,
    serviceTypes: [...SERVICE_CREDENTIAL_TYPES],
    ...(options.members ? { members: options.members } : {}),
  });
  const metrics = options.metrics;
  const resolver =
    options.resolver ??
    createDidResolver({
      developmentMode: config.developmentMode,
      ...(metrics ? { onFetch: (outcome: 'ok' | 'error') => metrics.didFetches.inc({ outcome }) } : {}),
      // The service's own DID never needs the network.
      // (Our document type is the DID Core shape the resolver's type describes, more narrowly typed.)
      localDocuments: (did) =>
        did === identity.did ? (identity.document() as unknown as Promise<DidDocument>) : undefined,
    });
  const status = new StatusService({ dataSource, publicUrl: config.publicUrl, now });
  // SQLite (one host, maybe several worker processes) keeps the per-lookup revision read: one
  // indexed read, and the only cross-process answer that is immediate.
  const statusWatch =
    config.databaseUrl === undefined
      ? undefined
      : listeningRevisionWatch({
          databaseUrl: config.databaseUrl,
          ...(options.connection ? { connection: options.connection } : {}),
          onState(listening, error) {
            if (listening) options.logger?.info('status changes: listening');
            else
              options.logger?.warn(
                { err: error },
                'status changes: listener lost, reading revisions until it is back',
              );
          },
        });
  const publisher = new StatusListPublisher({
    service: status,
    signer,
    publicUrl: config.publicUrl,
    now,
    ...(statusWatch ? { watch: statusWatch } : {}),
  });
  const vcts = loadVctRegistry(config.credentialSchemasDir, config.publicUrl);
  const tokenPublisher = new TokenStatusListPublisher({
    service: status,
    signer,
    publicUrl: config.publicUrl,
    now,
  });
  const ownTokenListPrefix = tokenStatusListUrl(config.publicUrl, '');
  const ownListPrefix = statusListUrl(config.publicUrl, '');
  const source: StatusListSource = {
    isAuthoritative: (url) => url.startsWith(ownListPrefix),
    async fetch(url) {
      const source = url.startsWith(ownListPrefix) ? 'own' : 'remote';
      try {
        const token = await fetchList(url);
        metrics?.statusListFetches.inc({ source, outcome: 'ok' });
        return token;
      } catch (error) {
        metrics?.statusListFetches.inc({ source, outcome: 'error' });
        throw error;
      }
    },
  };
  // Token Status Lists (SD-JWT VCs): ours without any network, others through the same bounded fetcher.
  const tokenSource: StatusListSource = {
    isAuthoritative: (url) => url.startsWith(ownTokenListPrefix),
    async fetch(url) {
      const own = url.startsWith(ownTokenListPrefix);
      try {
        let token: string;
        if (own) {
          const signed = await tokenPublisher.signedList(url.slice(ownTokenListPrefix.length));
          if (!signed) throw new Error('no such token status list');
          token = signed.jwt;
        } else {
          const body = await fetchBounded(new URL(url), {
            developmentMode: config.developmentMode,
            accept: 'application/statuslist+jwt',
            maxBytes: STATUS_LIST_MAX_BYTES,
          });
          token = body.toString('utf8').trim();
        }
        metrics?.statusListFetches.inc({ source: own ? 'own' : 'remote', outcome: 'ok' });
        return token;
      } catch (error) {
        metrics?.statusListFetches.inc({ source: own ? 'own' : 'remote', outcome: 'error' });
        throw error;
      }
    },
  };
  async function fetchList(url: string): Promise<string> {
    if (url.startsWith(ownListPrefix)) {
      const signed = await publisher.signedList(url.slice(ownListPrefix.length));
      if (!signed) throw new Error('no such status list');
      return signed.jws;
    }
    const body = await fetchBounded(new URL(url), {
      developmentMode: config.developmentMode,
      accept: 'application/vc+jwt, application/jwt',
      maxBytes: STATUS_LIST_MAX_BYTES,
    });
    return body.toString('utf8').trim();
  }
  // A kid of our own DID that the loaded document lacks: another replica (or the CLI) may have
  // rotated the keys; reload them (bounded) before failing `unknown_key`.
  const keys = didKeyLookup(resolver, {
    onUnknownKey: async (did) => did === identity.did && identity.reloadForUnknownKey(),
  });
  const nonces = databaseNonceStore(dataSource, now);
  const deps: PresentationVerifierDeps & CredentialVerifierDeps = {
    keys,
    trust: registryTrust(trust),
    schemas: registrySchemas(schemas),
    statuses: createStatusListLookup({
      keys,
      source,
      decode: (encoded) => decodeList(encoded),
      now,
      es256LowSOnly: config.es256LowSOnly,
    }),
    nonces,
    now,
    es256LowSOnly: config.es256LowSOnly,
    sdJwt: {
      vcts,
      // SD-JWT VC issuers named by an https URL: keys from their jwt-vc-issuer metadata, under
      // the did:web transport rules (timeout, size cap, no redirects, no private addresses).
      issuerKeys: createIssuerKeys({ developmentMode: config.developmentMode }),
      tokenStatuses: createTokenStatusLookup({
        keys,
        source: tokenSource,
        now,
        es256LowSOnly: config.es256LowSOnly,
      }),
    },
  };
  const issuer = new CredentialIssuer({
    dataSource,
    signer,
    schemas: issuerSchemas(schemas, config.publicUrl),
    contexts: [contextUrl(config.publicUrl, DATASPACE_CONTEXT, dataspaceContext.version)],
    allocateStatus: async (credentialId, manager) =>
      (await status.allocateEntries({ credentialId, manager })).map((entry) => ({ ...entry })),
    now,
    sdJwt: {
      vcts,
      async allocateToken(credentialId, follows, manager) {
        const entry = await status.allocateToken({
          credentialId,
          manager,
          ...(follows !== undefined ? { follows } : {}),
        });
        return { idx: entry.index, uri: tokenStatusListUrl(config.publicUrl, entry.listId) };
      },
    },
  });
  const observer: VerificationObserver = metrics ? observeVerifications(metrics) : () => {};
  const verifyRoute = verifyCredentialRoute(deps, observer);
  return {
    issuer,
    status,
    trust,
    schemas,
    resolver,
    nonces,
    deps,
    routers: [
      trustRoutes(trust, { publicUrl: config.publicUrl, now }),
      schemaRoutes(schemas, config.publicUrl, contexts),
      statusRoutes(publisher),
      sdJwtRoutes(tokenPublisher, vcts),
      verificationRoutes(deps, observer, verifyRoute),
    ],
    laneRoutes: [verifyRoute],
    statusWatch,
    verifyCredential: (token) => verifyCredential(token, deps),
    keyUsage: (retiring, published) =>
      keyUsage(
        {
          dataSource,
          statusListValiditySeconds: publisher.validitySeconds,
          identityCacheTtlMs: identity.cacheTtlMs,
          now,
        },
        retiring,
        published,
      ),
    verifyPresentation: (token, expected) => verifyPresentation(token, expected, deps),
    close: async () => {
      await statusWatch?.close();
    },
  };
}

function observeVerifications(metrics: Metrics): VerificationObserver {
  return (kind, result) => {
    metrics.verifications.inc({ kind, verified: String(result.verified) });
    for (const check of result.checks)
      metrics.verificationChecks.inc({
        kind,
        check: check.check,
        result: check.result,
        code: check.code ?? 'none',
      });
  };
}
