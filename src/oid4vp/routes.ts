/**
 * The wallet login's HTTP endpoints:
 * - `GET  /oidc/interaction/:uid`: the login page (QR code and same-device link);
 * - `GET  /oid4vp/request/:state?flow=`: the signed request object (`request_uri`);
 * - `POST /oid4vp/response`: the wallet's `direct_post` (OpenID4VP 1.0 §8.2);
 * - `GET  /oidc/interaction/:uid/status`: the browser's poll (cross-device), bound to its interaction cookie;
 * - `GET  /oidc/interaction/:uid/continue`: the browser resumes a cross-device login;
 * - `GET  /oidc/interaction/:uid/callback?response_code=`: where a same-device wallet sends the browser.
 * Protocol errors answer `{ error, error_description }`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import Router from '@koa/router';
import type { Context } from 'koa';
import { inTransaction } from '../db/index.js';
import { OAuthError } from '../http/index.js';
import { CITIZEN_SCOPE, type InteractionSummary, isMemberClientId } from '../oidc/index.js';
import { naturalPersonOf } from './citizen.js';
import { mapClaims } from './claims.js';
import { CITIZEN_QUERY_ID, type DcqlQuery, naturalPersonLogin, queryForScopes } from './dcql.js';
import { sdJwtQueryId } from './dcql-sd-jwt.js';
import type { Oid4vpTransactionRow } from './entities.js';
import type { Oid4vpOptions } from './module.js';
import { loginQrSvg } from './page.js';
import { parseVpToken, verifyAnswer } from './presentation.js';
import { refusalCodeOf } from './refusal.js';
import { signRequestObject, verifierClientId } from './request-object.js';
import { recordSigning } from './signing.js';
import { checkTransactionData } from './transaction-data.js';
import {
  type Flow,
  type LoginOutcome,
  sha256Hex,
  type TransactionStore,
  transactionDataOf,
} from './transactions.js';

export interface Oid4vpRouteDeps extends Oid4vpOptions {
  readonly transactions: TransactionStore;
  readonly now: () => Date;
}

export const REQUEST_PATH = '/oid4vp/request';
export const RESPONSE_PATH = '/oid4vp/response';

function nodeOf(ctx: Context): [IncomingMessage, ServerResponse] {
  return [ctx.req, ctx.res];
}

/** The interaction of this browser, which must be the one in the path. */
async function interactionOf(deps: Oid4vpRouteDeps, ctx: Context): Promise<InteractionSummary> {
  let summary: InteractionSummary;
  try {
    summary = await deps.oidc.interactions.details(...nodeOf(ctx));
  } catch (error) {
    if ((error as { name?: string }).name === 'SessionNotFound') {
      throw new OAuthError(
        400,
        'invalid_request',
        'no login is in progress in this browser (interaction cookie missing or expired)',
      );
    }
    throw error;
  }
  if (summary.uid !== ctx.params.uid)
    throw new OAuthError(400, 'invalid_request', 'this browser is in another login');
  return summary;
}

/**
 * The relying party as a person should recognise it: a member's app (its client id is the
 * member's DID) by the member's registered legal name, another client by the name it was
 * registered with, and only without either by its client id.
 */
async function relyingPartyName(deps: Oid4vpRouteDeps, interaction: InteractionSummary): Promise<string> {
  if (isMemberClientId(interaction.clientId)) {
    const name = await deps.memberName?.(interaction.clientId);
    if (name) return name;
  }
  return interaction.clientName ?? interaction.clientId;
}

function walletUrl(clientId: string, requestUri: string): string {
  return `openid4vp://?${new URLSearchParams({ client_id: clientId, request_uri: requestUri }).toString()}`;
}

async function finishLogin(
  deps: Oid4vpRouteDeps,
  ctx: Context,
  state: string,
  result: string | null,
): Promise<void> {
  if (result === null || !(await deps.transactions.finish(state))) {
    throw new OAuthError(400, 'invalid_request', 'this login was completed already');
  }
  const outcome = JSON.parse(result) as LoginOutcome;
  const to = await deps.oidc.interactions.finish(...nodeOf(ctx), {
    accountId: outcome.accountId,
    amr: outcome.amr,
  });
  ctx.status = 303;
  ctx.redirect(to);
}

/**
 * The posted `vp_token` of a pending transaction, verified: its presentations, the verified
 * answer to the query, and for a natural person's login the rulebook's rule for it.
 */
async function verifyPosted(deps: Oid4vpRouteDeps, transaction: Oid4vpTransactionRow, vpToken: unknown) {
  const query = JSON.parse(transaction.query) as DcqlQuery;
  const presentations = parseVpToken(vpToken, query);
  // Every requested transaction data item is hashed into the presentations (§8.4). Checked
  // before the signatures, so a refusal spends no nonce; the signatures, checked next, make
  // the hashes the holder's.
  checkTransactionData(transactionDataOf(transaction), presentations, query);
  const { rulebook } = await deps.rulebook.store.current();
  // A natural person's login: the rulebook's issuers for the type, when it lists them.
  const citizen = query.credentials[0]?.id === CITIZEN_QUERY_ID ? naturalPersonLogin(rulebook) : undefined;
  const answer = await verifyAnswer(deps.credentials, presentations, {
    nonce: transaction.nonce,
    clientId: transaction.clientId,
    query,
    serviceDid: deps.identity.did,
    ...(deps.credentials.deps.sdJwt ? { vcts: deps.credentials.deps.sdJwt.vcts } : {}),
    ...(citizen && typeof citizen.issuers !== 'string'
      ? {
          issuers: {
            [CITIZEN_QUERY_ID]: citizen.issuers,
            [sdJwtQueryId(CITIZEN_QUERY_ID)]: citizen.issuers,
          },
        }
      : {}),
  });
  return { presentations, answer, rulebook, citizen };
}

/**
 * Runs `work` on a wallet's answer; a signing request whose answer is refused ends `refused`
 * with the refusal's code (never the wallet's text), for the page that waits to show.
 */
async function refusing<T>(
  deps: Oid4vpRouteDeps,
  transaction: Oid4vpTransactionRow,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (transaction.kind === 'signing' && error instanceof OAuthError && error.status < 500)
      await deps.transactions.markRefused(transaction.state, refusalCodeOf(error));
    throw error;
  }
}

export function oid4vpRoutes(deps: Oid4vpRouteDeps): Router {
  const router = new Router();
  const clientId = verifierClientId(deps.identity.did);
  const interactionBase = `${new URL(deps.oidc.issuer).pathname}/interaction`;

  router.get(`${interactionBase}/:uid`, async (ctx) => {
    const interaction = await interactionOf(deps, ctx);
    // A member's app logs citizens in to ask for consent, and for nothing else: it sees them only
    // under the pairwise identifier of a natural person's login (src/oidc/provider.ts).
    if (
      isMemberClientId(interaction.clientId) &&
      (!interaction.scopes.includes(CITIZEN_SCOPE) || interaction.consentDetails.length === 0)
    ) {
      ctx.status = 303;
      ctx.redirect(
        await deps.oidc.interactions.fail(
          ...nodeOf(ctx),
          'invalid_request',
          `a member's app logs citizens in only to ask for consent: scope openid ${CITIZEN_SCOPE} with authorization_details of type dataspace_consent`,
        ),
      );
      return;
    }
    const { rulebook } = await deps.rulebook.store.current();
    const query = queryForScopes(interaction.scopes, rulebook, deps.credentials.deps.sdJwt?.vcts);
    const transaction = await deps.transactions.create({ interactionUid: interaction.uid, clientId, query });
    const requestUri = (flow: Flow) => `${deps.publicUrl}${REQUEST_PATH}/${transaction.state}?flow=${flow}`;
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Vary', 'Accept-Language, Cookie');
    ctx.type = 'text/html; charset=utf-8';
    const crossDeviceUrl = walletUrl(clientId, requestUri('cross-device'));
    const language = ctx.query.lang;
    const languageCookie = ctx.cookies.get('portal_lang');
    ctx.body = deps.renderLoginPage(
      {
        nonce: String(ctx.state.cspNonce ?? ''),
        path: ctx.path,
        acceptLanguage: ctx.get('accept-language'),
        ...(typeof language === 'string' ? { language } : {}),
        ...(languageCookie ? { languageCookie } : {}),
      },
      {
        clientName: await relyingPartyName(deps, interaction),
        scopes: interaction.scopes,
        sameDeviceUrl: walletUrl(clientId, requestUri('same-device')),
        crossDeviceUrl,
        qrSvg: await loginQrSvg(crossDeviceUrl),
        statusUrl: `${interactionBase}/${interaction.uid}/status`,
        continueUrl: `${interactionBase}/${interaction.uid}/continue`,
      },
    );
  });

  router.get(`${REQUEST_PATH}/:state`, async (ctx) => {
    const transaction = await deps.transactions.find(ctx.params.state as string);
    if (transaction?.status !== 'pending') {
      throw new OAuthError(400, 'invalid_request_uri', 'the request is unknown, expired or answered already');
    }
    const flow = ctx.query.flow === 'cross-device' ? 'cross-device' : 'same-device';
    await deps.transactions.setFlow(transaction.state, flow);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'application/oauth-authz-req+jwt';
    ctx.body = await signRequestObject(deps.identity, {
      clientId,
      responseUri: `${deps.publicUrl}${RESPONSE_PATH}`,
      nonce: transaction.nonce,
      state: transaction.state,
      query: JSON.parse(transaction.query) as DcqlQuery,
      transactionData: transactionDataOf(transaction),
      now: deps.now(),
    });
  });

  router.post(RESPONSE_PATH, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const body = (ctx.state.body ?? {}) as Record<string, unknown>;
    if (!ctx.is('application/x-www-form-urlencoded')) {
      throw new OAuthError(
        400,
        'invalid_request',
        'direct_post bodies are application/x-www-form-urlencoded',
      );
    }
    if (typeof body.error === 'string') {
      // The wallet reports an error (§8.5): nothing to verify, the browser keeps waiting.
      ctx.body = {};
      return;
    }
    if (typeof body.state !== 'string' || body.state.length === 0)
      throw new OAuthError(400, 'invalid_request', 'state is missing');
    const transaction = await deps.transactions.find(body.state);
    if (!transaction)
      throw new OAuthError(400, 'invalid_request', 'unknown_state: no login waits for this state');
    if (transaction.status !== 'pending') {
      throw new OAuthError(400, 'invalid_request', 'replayed: this login was answered already');
    }
    const { presentations, answer, rulebook, citizen } = await refusing(deps, transaction, () =>
      verifyPosted(deps, transaction, body.vp_token),
    );
    if (transaction.kind === 'signing') {
      ctx.body = await refusing(deps, transaction, () =>
        recordSigning(deps, transaction, presentations, answer),
      );
      return;
    }
    // The account is the (issuer, subject) of the credential answering the first query (or
    // its SD-JWT VC alternative): the first the match holds.
    const primary = [...answer.matches.values()][0];
    if (!primary) throw new OAuthError(400, 'access_denied', 'query_not_satisfied');
    // A citizen's account keeps no claim, only what names the citizen again (citizen.ts).
    const naturalPerson = citizen ? naturalPersonOf(citizen, primary) : undefined;
    const claims = naturalPerson ? {} : mapClaims(rulebook, [...answer.matches.values()]);
    const { won, responseCode } = await inTransaction(deps.dataSource, undefined, async (manager) => {
      const account = await deps.oidc.accounts.record(
        primary.issuer,
        primary.subject,
        claims,
        manager,
        naturalPerson ? [] : [...answer.matches.values()],
        naturalPerson,
      );
      const marked = await deps.transactions.markPresented(manager, transaction.state, {
        accountId: account.accountId,
        amr: ['vc'],
      });
      if (!marked.won)
        throw new OAuthError(400, 'invalid_request', 'replayed: this login was answered already');
      return marked;
    });
    if (!won) throw new OAuthError(400, 'invalid_request', 'replayed');
    ctx.status = 200;
    ctx.body =
      transaction.flow === 'cross-device'
        ? {}
        : {
            redirect_uri: `${deps.publicUrl}${interactionBase}/${transaction.interactionUid}/callback?response_code=${responseCode}`,
          };
  });

  router.get(`${interactionBase}/:uid/status`, async (ctx) => {
    const interaction = await interactionOf(deps, ctx);
    const presented = await deps.transactions.presentedFor(interaction.uid);
    ctx.set('Cache-Control', 'no-store');
    ctx.body =
      presented && presented.flow === 'cross-device'
        ? { status: 'presented', continue: `${interactionBase}/${interaction.uid}/continue` }
        : { status: 'pending' };
  });

  router.get(`${interactionBase}/:uid/continue`, async (ctx) => {
    const interaction = await interactionOf(deps, ctx);
    const presented = await deps.transactions.presentedFor(interaction.uid);
    if (presented?.flow !== 'cross-device') {
      throw new OAuthError(400, 'invalid_request', 'no cross-device presentation waits for this login');
    }
    await finishLogin(deps, ctx, presented.state, presented.result);
  });

  router.get(`${interactionBase}/:uid/callback`, async (ctx) => {
    const interaction = await interactionOf(deps, ctx);
    const code = ctx.query.response_code;
    const presented = await deps.transactions.presentedFor(interaction.uid);
    if (
      typeof code !== 'string' ||
      !presented ||
      presented.flow === 'cross-device' ||
      presented.responseCodeHash !== sha256Hex(code)
    ) {
      throw new OAuthError(
        400,
        'invalid_request',
        'invalid_response_code: the response code is unknown or was used',
      );
    }
    await finishLogin(deps, ctx, presented.state, presented.result);
  });

  return router;
}
