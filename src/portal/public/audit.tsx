/**
 * The audit log (issue 14 item 1): a page of entries, and the result of verifying the whole
 * chain — every hash and link, the head, every stored checkpoint and its signature by the
 * service DID (`AuditLog.verify`) — with the latest signed checkpoint it was held to.
 */
import type { AuditEntry, AuditVerification, StoredCheckpoint } from '../../audit/index.js';
import { type PageContext, renderPage } from '../layout.js';
import { auditKindText, Code, Pager, TableWrap, When, withQuery } from './parts.js';

export interface AuditPageData {
  readonly entries: readonly AuditEntry[];
  readonly next: number | null;
  readonly after: number;
  readonly size: number;
  readonly limit: number;
  readonly verification: AuditVerification;
  readonly verifiedAt: Date;
  readonly checkpoint: StoredCheckpoint | undefined;
  readonly apiBase: string;
}

const MAX_DATA_SHOWN = 300;

export function auditPage(page: PageContext, data: AuditPageData): string {
  const { t } = page.msg;
  const { verification } = data;
  const path = `${page.base}/audit`;
  const latest = Math.max(0, data.size - data.limit);
  return renderPage(
    page,
    t('audit.title'),
    <>
      <h1>{t('audit.title')}</h1>
      <p>{t('audit.intro')}</p>
      <h2>{t('audit.verification')}</h2>
      {verification.valid ? (
        <div class="verified" role="status" id="chain-status" data-valid="true">
          <p>
            <strong>{t('audit.valid')}</strong>
          </p>
          <p>
            {t('audit.validDetail', {
              size: page.msg.number(verification.size),
              checkpoints: page.msg.number(verification.checkpoints),
            })}
          </p>
        </div>
      ) : (
        <div class="error" role="alert" id="chain-status" data-valid="false">
          <p>
            <strong>
              {t('audit.invalid', { sequence: page.msg.number(verification.firstBadSequence) })}
            </strong>
          </p>
          <p>
            {t('audit.problem')}: <code id="chain-problem">{verification.problem}</code> —{' '}
            {verification.detail}
          </p>
        </div>
      )}
      <p>
        {t('audit.verifiedAt')} <When at={data.verifiedAt} msg={page.msg} />
      </p>
      <h3>{t('audit.checkpoint')}</h3>
      {data.checkpoint ? (
        <dl id="checkpoint">
          <dt>{t('audit.checkpointSize')}</dt>
          <dd>{page.msg.number(data.checkpoint.size)}</dd>
          <dt>{t('audit.checkpointHead')}</dt>
          <dd>
            <Code>{data.checkpoint.headHash}</Code>
          </dd>
          <dt>{t('audit.checkpointAt')}</dt>
          <dd>
            <When at={data.checkpoint.at} msg={page.msg} />
          </dd>
          <dt>{t('audit.checkpointSignature')}</dt>
          <dd>
            <details>
              <summary>{t('audit.showJws')}</summary>
              <pre>
                <code>{data.checkpoint.signature}</code>
              </pre>
            </details>
          </dd>
        </dl>
      ) : (
        <p id="no-checkpoint">{t('audit.noCheckpoint')}</p>
      )}
      <p>
        {t('audit.yourself')} <code>dataspace-trust audit verify --url {data.apiBase}</code>
      </p>
      <h2>{t('audit.entries')}</h2>
      {data.entries.length === 0 ? (
        <p>{t('audit.empty')}</p>
      ) : (
        <TableWrap label={t('audit.caption', { total: page.msg.number(data.size) })}>
          <table id="entries">
            <caption>{t('audit.caption', { total: page.msg.number(data.size) })}</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('common.when')}</th>
                <th scope="col">{t('common.what')}</th>
                <th scope="col">{t('audit.actor')}</th>
                <th scope="col">{t('audit.subject')}</th>
                <th scope="col">{t('audit.hash')}</th>
              </tr>
            </thead>
            <tbody>
              {data.entries.map((entry) => {
                const text = JSON.stringify(entry.data);
                return (
                  <tr key={entry.sequence} data-sequence={entry.sequence}>
                    <td>{entry.sequence}</td>
                    <td>
                      <When at={entry.at} msg={page.msg} />
                    </td>
                    <td>
                      {auditKindText(page.msg, entry.kind)}
                      <br />
                      <code>{text.length > MAX_DATA_SHOWN ? `${text.slice(0, MAX_DATA_SHOWN)}…` : text}</code>
                    </td>
                    <td>
                      <Code>{entry.actor}</Code>
                    </td>
                    <td>{entry.subject ? <Code>{entry.subject}</Code> : '—'}</td>
                    <td>
                      <Code>{entry.hash.slice(0, 12)}…</Code>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      )}
      <Pager
        msg={page.msg}
        label={t('paging.label')}
        {...(data.after > 0 ? { first: path } : {})}
        {...(data.next !== null ? { next: withQuery(path, { after: String(data.next) }) } : {})}
      />
      {data.next !== null && latest > data.after && (
        <p>
          <a href={withQuery(path, { after: String(latest) })} id="latest-entries">
            {t('audit.latest')}
          </a>
        </p>
      )}
    </>,
  );
}
