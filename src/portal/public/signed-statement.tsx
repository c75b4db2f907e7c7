/**
 * A signed governance statement as the public motion page shows it (a vote, or the statement
 * that opened a motion), with what anyone needs to check it themselves: the signer, the key
 * (kid, algorithm) and where the signer's DID document is, the signed payload, the statement
 * verbatim; for a statement signed through the wallet (a JWT VP), the `transaction_data` item it
 * signs and the item's SHA-256, which the presentation's `transaction_data_hashes` must hold.
 */
import { createHash } from 'node:crypto';
import type { ComponentChildren } from 'preact';
import type { PageContext } from '../layout.js';
import { Code } from './parts.js';

/** A base64url JSON part read for display (it was verified when it was received). */
function readPart(part: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** Where a DID's document is, for the recipe (did:web's URL; otherwise how to resolve it). */
function didDocumentUrl(did: string): string | undefined {
  if (!did.startsWith('did:web:')) return undefined;
  const [host = '', ...path] = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
  return path.length === 0
    ? `https://${host}/.well-known/did.json`
    : `https://${host}/${path.join('/')}/did.json`;
}

export function SignedStatement(props: {
  readonly page: PageContext;
  readonly signer: string;
  readonly statement: string;
  readonly transactionData?: string;
  /** Facts shown between the signer and the key (a vote's reason). */
  readonly children?: ComponentChildren;
}) {
  const { page, signer, statement, transactionData } = props;
  const { t } = page.msg;
  const [headerPart = '', payloadPart = ''] = statement.split('.');
  const header = readPart(headerPart);
  const payload = readPart(payloadPart);
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  const alg = typeof header.alg === 'string' ? header.alg : undefined;
  const documentUrl = didDocumentUrl(signer);
  return (
    <>
      <dl>
        <dt>{t('vote.voter')}</dt>
        <dd>
          <Code>{signer}</Code>
        </dd>
        {props.children}
        <dt>{t('vote.key')}</dt>
        <dd>
          <Code>{kid ?? '—'}</Code> ({alg ?? '—'})
        </dd>
        <dt>{t('vote.document')}</dt>
        <dd>{documentUrl ? <Code>{documentUrl}</Code> : t('vote.documentInDid')}</dd>
        <dt>{t('vote.payload')}</dt>
        <dd>
          <pre>
            <code>{JSON.stringify(payload, null, 2)}</code>
          </pre>
        </dd>
        {transactionData && (
          <>
            <dt>{t('vote.item')}</dt>
            <dd>
              <pre>
                <code class="signed-item">{JSON.stringify(readPart(transactionData), null, 2)}</code>
              </pre>
            </dd>
            <dt>{t('vote.itemHash')}</dt>
            <dd>
              <Code>{createHash('sha256').update(transactionData, 'utf8').digest('base64url')}</Code>
            </dd>
          </>
        )}
      </dl>
      <details>
        <summary>{t(transactionData ? 'vote.presentation' : 'vote.statement')}</summary>
        <pre>
          <code class="statement">{statement}</code>
        </pre>
      </details>
    </>
  );
}
