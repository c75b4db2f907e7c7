/**
 * The member directory (issue 14 item 1): search by name, filters by role, side and status,
 * paging by links; and a page per member with its DID, roles, sides, since when, its status
 * history from the audit log and the credential types it may issue.
 */
import type { AuditEntry } from '../../audit/index.js';
import type { MemberView } from '../../membership/members.js';
import type { TrustedIssuer } from '../../trust/index.js';
import { type PageContext, renderPage } from '../layout.js';
import {
  auditKindText,
  Code,
  memberStatusText,
  Pager,
  sideText,
  TableWrap,
  When,
  withQuery,
} from './parts.js';

export interface DirectoryQuery {
  readonly q?: string;
  readonly role?: string;
  readonly side?: string;
  readonly status?: string;
  readonly after?: string;
}

export const MEMBER_STATUSES = ['active', 'suspended', 'revoked', 'withdrawn'] as const;
export const SIDES = ['supply', 'demand'] as const;

/** A member's page address. */
export const memberHref = (base: string, did: string) => `${base}/members/${encodeURIComponent(did)}`;

export function directoryPage(
  page: PageContext,
  query: DirectoryQuery,
  roles: readonly { readonly id: string; readonly title: string }[],
  result: { readonly items: readonly MemberView[]; readonly next?: string },
): string {
  const { t } = page.msg;
  const path = `${page.base}/members`;
  const filters = { q: query.q, role: query.role, side: query.side, status: query.status };
  const roleTitle = (id: string) => roles.find((role) => role.id === id)?.title ?? id;
  return renderPage(
    page,
    t('directory.title'),
    <>
      <h1>{t('directory.title')}</h1>
      <p>{t('directory.intro')}</p>
      <form method="get" action={path} class="filters" aria-label={t('directory.search')}>
        <label>
          {t('directory.name')}
          <input type="search" name="q" id="q" value={query.q ?? ''} maxLength={200} />
        </label>
        <label>
          {t('directory.role')}
          <select name="role" id="role">
            <option value="">{t('directory.any')}</option>
            {roles.map((role) => (
              <option key={role.id} value={role.id} selected={query.role === role.id}>
                {role.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('directory.side')}
          <select name="side" id="side">
            <option value="">{t('directory.any')}</option>
            {SIDES.map((side) => (
              <option key={side} value={side} selected={query.side === side}>
                {sideText(page.msg, side)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('directory.status')}
          <select name="status" id="status">
            <option value="">{t('directory.any')}</option>
            {MEMBER_STATUSES.map((status) => (
              <option key={status} value={status} selected={query.status === status}>
                {memberStatusText(page.msg, status)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" id="search">
          {t('directory.submit')}
        </button>
      </form>
      {result.items.length === 0 ? (
        <p id="no-members">{t('directory.none')}</p>
      ) : (
        <TableWrap label={t('directory.caption')}>
          <table id="members">
            <caption>{t('directory.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('member.name')}</th>
                <th scope="col">{t('member.roles')}</th>
                <th scope="col">{t('member.status')}</th>
                <th scope="col">{t('member.since')}</th>
              </tr>
            </thead>
            <tbody>
              {result.items.map((member) => (
                <tr key={member.did} data-did={member.did}>
                  <td>
                    <a href={memberHref(page.base, member.did)}>{member.legalName}</a> ({member.country})
                  </td>
                  <td>{member.roles.map(roleTitle).join(', ')}</td>
                  <td>{memberStatusText(page.msg, member.status)}</td>
                  <td>
                    <When at={member.memberSince} msg={page.msg} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <Pager
        msg={page.msg}
        label={t('paging.label')}
        {...(query.after ? { first: withQuery(path, filters) } : {})}
        {...(result.next ? { next: withQuery(path, { ...filters, after: result.next }) } : {})}
      />
    </>,
  );
}

/** One member: what the registry publishes, its status history, its issuer rights. */
export function memberPage(
  page: PageContext,
  member: MemberView,
  roles: readonly { readonly id: string; readonly title: string }[],
  history: readonly AuditEntry[],
  issuer: TrustedIssuer | undefined,
): string {
  const { t } = page.msg;
  const roleTitle = (id: string) => roles.find((role) => role.id === id)?.title ?? id;
  return renderPage(
    page,
    member.legalName,
    <>
      <h1 id="member-name">{member.legalName}</h1>
      <dl id="member-facts">
        <dt>{t('member.did')}</dt>
        <dd>
          <Code id="member-did">{member.did}</Code>
        </dd>
        <dt>{t('member.status')}</dt>
        <dd id="member-status">{memberStatusText(page.msg, member.status)}</dd>
        <dt>{t('member.country')}</dt>
        <dd>{member.country}</dd>
        <dt>{t('member.roles')}</dt>
        <dd>
          <ul>
            {member.roles.map((role) => (
              <li key={role}>{roleTitle(role)}</li>
            ))}
          </ul>
        </dd>
        <dt>{t('member.sides')}</dt>
        <dd>{member.sides.map((side) => sideText(page.msg, side)).join(', ')}</dd>
        <dt>{t('member.since')}</dt>
        <dd>
          <When at={member.memberSince} msg={page.msg} />
        </dd>
        <dt>{t('member.rulebook')}</dt>
        <dd>
          <a href={`${page.base}/rulebook/versions/${encodeURIComponent(member.rulebookVersion)}`}>
            {member.rulebookVersion}
          </a>
        </dd>
      </dl>
      <h2>{t('member.issuerRights')}</h2>
      {issuer && issuer.credentialTypes.length > 0 ? (
        <>
          <p>{t('member.issuerRightsIntro')}</p>
          <ul id="issuer-rights">
            {issuer.credentialTypes.map((type) => (
              <li key={type}>
                <code>{type}</code>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p id="no-issuer-rights">{t('member.noIssuerRights')}</p>
      )}
      <h2>{t('member.history')}</h2>
      {history.length === 0 ? (
        <p>{t('member.noHistory')}</p>
      ) : (
        <TableWrap label={t('member.historyCaption')}>
          <table id="history">
            <caption>{t('member.historyCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('common.when')}</th>
                <th scope="col">{t('common.what')}</th>
                <th scope="col">{t('member.decision')}</th>
                <th scope="col">{t('audit.entry')}</th>
              </tr>
            </thead>
            <tbody>
              {history.map((entry) => {
                const motion = motionOf(entry);
                return (
                  <tr key={entry.sequence}>
                    <td>
                      <When at={entry.at} msg={page.msg} />
                    </td>
                    <td>{auditKindText(page.msg, entry.kind)}</td>
                    <td>
                      {motion ? (
                        <a href={`${page.base}/board/motions/${encodeURIComponent(motion)}`}>
                          {t('member.motion')}
                        </a>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td>
                      <a
                        href={`${page.base}/audit?${new URLSearchParams({ after: String(entry.sequence - 1) })}`}
                      >
                        #{entry.sequence}
                      </a>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      )}
      <p>
        <a href={`${page.base}/members`}>{t('member.back')}</a>
      </p>
    </>,
  );
}

/** The motion an audit entry names in its data, if any. */
function motionOf(entry: AuditEntry): string | undefined {
  const data = entry.data;
  if (!data || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const motion = (data as { readonly [key: string]: unknown }).motion;
  return typeof motion === 'string' ? motion : undefined;
}
