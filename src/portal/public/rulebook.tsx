/**
 * The rulebook (issue 14 item 1): the version in force (or any adopted one) rendered readably —
 * roles and their evidence, the board's decision rules, membership terms, what members may
 * issue, DID methods, the consent vocabulary (DPV) — every adopted version, and the difference
 * between any two, marked with text (`+`/`−` and words for screen readers) as well as colour.
 */
import { Fragment } from 'preact';
import type { AdoptedRulebook, RulebookDiff, RulebookVersionInfo } from '../../rulebook/index.js';
import { localise, MOTION_KINDS } from '../../rulebook/index.js';
import { type PageContext, renderPage } from '../layout.js';
import { Code, motionKindText, sideText, TableWrap, When } from './parts.js';

const versionHref = (base: string, version: string) =>
  `${base}/rulebook/versions/${encodeURIComponent(version)}`;

export function rulebookPage(
  page: PageContext,
  adopted: AdoptedRulebook,
  versions: readonly RulebookVersionInfo[],
): string {
  const { t } = page.msg;
  const { rulebook } = adopted;
  const doc = rulebook.document;
  const yesNo = (value: boolean) => (value ? t('common.yes') : t('common.no'));
  const term = (text: Readonly<Record<string, string>> | undefined) =>
    text ? localise(text, page.msg.locale) : '';
  const title = adopted.current
    ? t('rulebook.titleCurrent', { version: adopted.version })
    : t('rulebook.titleVersion', { version: adopted.version });
  return renderPage(
    page,
    title,
    <>
      <h1>{title}</h1>
      {!adopted.current && (
        <p class="status" role="status">
          {t('rulebook.notCurrent')} <a href={`${page.base}/rulebook`}>{t('rulebook.seeCurrent')}</a>
        </p>
      )}
      {doc.title && <p>{doc.title}</p>}
      {doc.description && <p>{doc.description}</p>}
      <dl id="rulebook-facts">
        <dt>{t('rulebook.version')}</dt>
        <dd id="rulebook-version">{adopted.version}</dd>
        <dt>{t('rulebook.adopted')}</dt>
        <dd>
          <When at={adopted.adoptedAt} msg={page.msg} />{' '}
          {adopted.adoptedBy === 'operator' ? (
            t('rulebook.byOperator')
          ) : (
            <a href={`${page.base}/board/motions/${encodeURIComponent(adopted.adoptedBy)}`}>
              {t('rulebook.byMotion')}
            </a>
          )}
        </dd>
        <dt>{t('rulebook.hash')}</dt>
        <dd>
          <Code>{adopted.hash}</Code>
        </dd>
      </dl>

      <h2 id="roles">{t('rulebook.roles')}</h2>
      {doc.roles.map((role) => (
        <section key={role.id} aria-labelledby={`role-${role.id}`}>
          <h3 id={`role-${role.id}`}>
            {role.title} (<code>{role.id}</code>)
          </h3>
          {role.description && <p>{role.description}</p>}
          <p>
            {t('rulebook.sides')}: {role.sides.map((side) => sideText(page.msg, side)).join(', ')}
          </p>
          <p>{t('rulebook.evidence')}</p>
          <ul>
            {role.evidence.map((evidence) => (
              <li key={evidence.credentialType}>
                <code>{evidence.credentialType}</code>
                {' — '}
                {evidence.issuers === 'trust-anchors'
                  ? t('rulebook.issuedByAnchors')
                  : t('rulebook.issuedBy', { issuers: evidence.issuers.join(', ') })}
                {evidence.requiredClaims.length > 0 &&
                  `; ${t('rulebook.requiredClaims', { claims: evidence.requiredClaims.join(', ') })}`}
              </li>
            ))}
          </ul>
        </section>
      ))}

      <h2 id="decisions">{t('rulebook.decisions')}</h2>
      <TableWrap label={t('rulebook.decisionsCaption')}>
        <table>
          <caption>{t('rulebook.decisionsCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('rulebook.motion')}</th>
              <th scope="col">{t('rulebook.minApprovals')}</th>
              <th scope="col">{t('rulebook.majority')}</th>
              <th scope="col">{t('rulebook.period')}</th>
              <th scope="col">{t('rulebook.recusal')}</th>
            </tr>
          </thead>
          <tbody>
            {MOTION_KINDS.map((kind) => {
              const rule = doc.decisions[kind];
              return (
                <tr key={kind}>
                  <th scope="row">{motionKindText(page.msg, kind)}</th>
                  <td>{page.msg.number(rule.minApprovals)}</td>
                  <td>{yesNo(rule.majorityOfVotesCast)}</td>
                  <td>{t('rulebook.days', { days: page.msg.number(rule.votingPeriodDays) })}</td>
                  <td>{yesNo(rule.recusal)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableWrap>

      <h2 id="membership">{t('rulebook.membership')}</h2>
      <ul>
        <li>{t('rulebook.validity', { days: page.msg.number(doc.membership.credentialValidityDays) })}</li>
        <li>{t('rulebook.renewal', { days: page.msg.number(doc.membership.renewalWindowDays) })}</li>
        <li>
          {t('rulebook.didMethodsMembers')}: <code>{doc.didMethods.members.join(', ')}</code>
        </li>
        <li>
          {t('rulebook.didMethodsBoard')}: <code>{doc.didMethods.board.join(', ')}</code>
        </li>
      </ul>
      <h3>{t('rulebook.issuance')}</h3>
      {Object.keys(doc.memberIssuance).length === 0 ? (
        <p>{t('rulebook.noIssuance')}</p>
      ) : (
        <ul>
          {Object.entries(doc.memberIssuance).map(([role, types]) => (
            <li key={role}>
              <code>{role}</code>: {types.join(', ')}
            </li>
          ))}
        </ul>
      )}

      {doc.consent && (
        <>
          <h2 id="consent">{t('rulebook.consent')}</h2>
          <p>
            {t('rulebook.retention', {
              days: page.msg.number(doc.consent.maxRetentionDays),
              records: page.msg.number(doc.consent.recordRetentionDays),
            })}
          </p>
          <p>
            {t('rulebook.naturalPersons')}: <code>{doc.consent.naturalPersons.credentialType}</code>
          </p>
          {(
            [
              ['purposes', t('rulebook.purposes'), doc.consent.purposes],
              ['data-categories', t('rulebook.dataCategories'), doc.consent.dataCategories],
              ['legal-bases', t('rulebook.legalBases'), doc.consent.legalBases],
            ] as const
          ).map(([id, heading, terms]) => (
            <section key={id} aria-labelledby={`vocabulary-${id}`}>
              <h3 id={`vocabulary-${id}`}>{heading}</h3>
              <dl>
                {terms.map((entry) => (
                  <Fragment key={entry.id}>
                    <dt>
                      {term(entry.label)}
                      {'specialCategory' in entry && entry.specialCategory
                        ? ` (${t('rulebook.special')})`
                        : ''}
                    </dt>
                    <dd>
                      {term(entry.description)} <code>{entry.id}</code>
                    </dd>
                  </Fragment>
                ))}
              </dl>
            </section>
          ))}
        </>
      )}

      <h2 id="versions">{t('rulebook.versions')}</h2>
      <VersionList page={page} versions={versions} />
      <DiffForm page={page} versions={versions} from={undefined} to={undefined} />
    </>,
  );
}

function VersionList({
  page,
  versions,
}: {
  readonly page: PageContext;
  readonly versions: readonly RulebookVersionInfo[];
}) {
  const { t } = page.msg;
  return (
    <TableWrap label={t('rulebook.versionsCaption')}>
      <table id="rulebook-versions">
        <caption>{t('rulebook.versionsCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('rulebook.version')}</th>
            <th scope="col">{t('rulebook.adopted')}</th>
            <th scope="col">{t('rulebook.hash')}</th>
          </tr>
        </thead>
        <tbody>
          {[...versions].reverse().map((version) => (
            <tr key={version.version}>
              <td>
                <a href={versionHref(page.base, version.version)}>{version.version}</a>
                {version.current && ` (${t('rulebook.inForce')})`}
              </td>
              <td>
                <When at={version.adoptedAt} msg={page.msg} />
              </td>
              <td>
                <Code>{version.hash.slice(0, 16)}…</Code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

/** Two lists of versions and a button: a GET form, so the diff works without JavaScript. */
function DiffForm(props: {
  readonly page: PageContext;
  readonly versions: readonly RulebookVersionInfo[];
  readonly from: string | undefined;
  readonly to: string | undefined;
}) {
  const { page, versions } = props;
  const { t } = page.msg;
  if (versions.length < 2) return <p>{t('rulebook.oneVersion')}</p>;
  const from = props.from ?? versions.at(-2)?.version;
  const to = props.to ?? versions.at(-1)?.version;
  return (
    <form
      method="get"
      action={`${page.base}/rulebook/diff`}
      class="filters"
      aria-label={t('rulebook.compare')}
    >
      <label>
        {t('rulebook.from')}
        <select name="from" id="diff-from">
          {versions.map((version) => (
            <option key={version.version} value={version.version} selected={version.version === from}>
              {version.version}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('rulebook.to')}
        <select name="to" id="diff-to">
          {versions.map((version) => (
            <option key={version.version} value={version.version} selected={version.version === to}>
              {version.version}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" id="compare">
        {t('rulebook.compare')}
      </button>
    </form>
  );
}

export function rulebookDiffPage(
  page: PageContext,
  diff: RulebookDiff,
  versions: readonly RulebookVersionInfo[],
): string {
  const { t } = page.msg;
  const title = t('diff.title', { from: diff.from, to: diff.to });
  return renderPage(
    page,
    title,
    <>
      <h1>{title}</h1>
      <DiffForm page={page} versions={versions} from={diff.from} to={diff.to} />
      <p id="diff-summary">
        {t('diff.summary', { added: page.msg.number(diff.added), removed: page.msg.number(diff.removed) })}
      </p>
      <p>{t('diff.legend')}</p>
      {diff.hunks.length === 0 ? (
        <p id="no-difference">{t('diff.none')}</p>
      ) : (
        diff.hunks.map((hunk) => (
          <section
            key={`${hunk.oldStart}-${hunk.newStart}`}
            aria-label={t('diff.hunk', { line: hunk.newStart })}
          >
            <h2>{t('diff.hunk', { line: hunk.newStart })}</h2>
            <ol class="diff">
              {hunk.lines.map((line, index) => (
                <li key={index} class={line.change} data-change={line.change}>
                  {line.change === 'added' ? (
                    <>
                      <span class="visually-hidden">{t('diff.added')} </span>
                      {`+ ${line.text}`}
                    </>
                  ) : line.change === 'removed' ? (
                    <>
                      <span class="visually-hidden">{t('diff.removed')} </span>
                      {`− ${line.text}`}
                    </>
                  ) : (
                    `  ${line.text}`
                  )}
                </li>
              ))}
            </ol>
          </section>
        ))
      )}
      <p>
        <a href={versionHref(page.base, diff.from)}>{diff.from}</a> ·{' '}
        <a href={versionHref(page.base, diff.to)}>{diff.to}</a> ·{' '}
        <a href={`${page.base}/rulebook`}>{t('rulebook.seeCurrent')}</a>
      </p>
    </>,
  );
}
