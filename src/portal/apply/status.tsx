/**
 * The applicant's status page (issue 14 item 2), reached by the unguessable address given at the
 * end of applying: the checks, the votes as they come, the decision, and once admitted the
 * OpenID4VCI credential offer of the MembershipCredential (QR code and
 * `openid-credential-offer://` link, made on request by a form: a page view makes no offer).
 */
import type { ApplicationView } from '../../membership/applications.js';
import type { OfferPresentation } from '../../oid4vci/offer-links.js';
import { CredentialOffer } from '../credential-offer.js';
import { type PageContext, renderPage } from '../layout.js';

export function applicationStatusPage(
  page: PageContext,
  application: ApplicationView,
  statusPath: string,
  offer?: OfferPresentation,
): string {
  const { t, dateTime } = page.msg;
  const motion = application.motion;
  const state = `application.state.${application.status}`;
  return renderPage(
    page,
    t('application.title'),
    <>
      <h1>{t('application.title')}</h1>
      <p class="status">{t('application.keep')}</p>
      <dl>
        <dt>{t('apply.legalName')}</dt>
        <dd id="legal-name">{application.legalName}</dd>
        <dt>{t('application.applicant')}</dt>
        <dd>
          <code>{application.applicant}</code>
        </dd>
        <dt>{t('application.roles')}</dt>
        <dd>{application.roles.join(', ')}</dd>
        <dt>{t('application.submitted')}</dt>
        <dd>{dateTime(application.submittedAt)}</dd>
        <dt>{t('application.state')}</dt>
        <dd id="application-status" data-status={application.status}>
          {page.msg.has(state) ? t(state) : application.status}
        </dd>
      </dl>
      <h2>{t('application.checks')}</h2>
      <ul class="checks">
        {application.checks.map((check) => (
          <li key={check.check}>
            <code>{check.check}</code>:{' '}
            {t(check.result === 'passed' ? 'workspace.checkPassed' : 'workspace.checkFailed')}
            {check.code && (
              <>
                {' '}
                (<code>{check.code}</code>) {check.detail}
              </>
            )}
          </li>
        ))}
      </ul>
      {motion && (
        <>
          <h2>{t('application.votes')}</h2>
          <p id="tally">
            {t('application.tally', {
              approvals: page.msg.number(motion.tally.approvals),
              rejections: page.msg.number(motion.tally.rejections),
            })}
          </p>
          {motion.votes.length === 0 ? (
            <p>{t('application.noVotes')}</p>
          ) : (
            <ol id="votes">
              {motion.votes.map((vote) => (
                <li key={vote.voter}>
                  <code>{vote.voter}</code>:{' '}
                  {t(vote.decision === 'approve' ? 'workspace.approve' : 'workspace.reject')}
                </li>
              ))}
            </ol>
          )}
          <p>
            <a href={`${page.base}/board/motions/${encodeURIComponent(motion.id)}`}>
              {t('application.motion')}
            </a>
          </p>
          <h2>{t('application.decision')}</h2>
          {motion.decidedAt ? (
            <p id="decision">
              {t(`motion.status.${motion.status}`)}.{' '}
              {t('application.decided', { date: dateTime(motion.decidedAt) })}
            </p>
          ) : (
            <p id="decision">
              {t('application.pending')} <a href={statusPath}>{t('application.reload')}</a>
            </p>
          )}
        </>
      )}
      {application.status === 'approved' && (
        <section aria-labelledby="receive">
          <h2 id="receive">{t('application.receiveTitle')}</h2>
          <p>{t('application.receiveIntro')}</p>
          {offer ? (
            <CredentialOffer page={page} offer={offer} />
          ) : (
            <form method="post" action={`${statusPath}/offer`}>
              <button type="submit" id="make-offer">
                {t('application.makeOffer')}
              </button>
            </form>
          )}
        </section>
      )}
    </>,
  );
}
