/**
 * The board's workspace pages (issue 14 item 3): the open motions with what a decision needs
 * (the rule that applies, votes so far, time left, recusals), the vote form, the page that asks
 * the wallet to sign the vote (QR code for a wallet on another device, a link for one on this
 * device; a small nonced script polls, and a button does the same without JavaScript), and a
 * refusal in words. Every text comes from the message catalogues; every value is escaped by JSX.
 */
import type { DecisionRule } from '../../rulebook/types.js';
import { CsrfField, type PageContext, renderPage } from '../layout.js';
import { auditKindText } from '../public/parts.js';
import { WalletSigning, type WalletSigningInput } from '../wallet-signing.js';
import { OpenMotionForm, type SubjectChoices } from './open-motion.js';

export interface OpenMotion {
  readonly id: string;
  readonly kind: string;
  readonly subject: string;
  readonly reason: string;
  readonly openedAt: string;
  readonly closesAt: string;
  readonly rule: DecisionRule;
  readonly approvals: number;
  readonly rejections: number;
  readonly votes: readonly { readonly voter: string; readonly name: string; readonly decision: string }[];
  /** Board members recused on it (affiliated with its subject), by name. */
  readonly recused: readonly string[];
  /** Whether the logged-in board member is recused, and how they voted. */
  readonly memberRecused: boolean;
  readonly memberVote?: string;
  /** For an admission: the application and its evidence checks. */
  readonly application?: {
    readonly legalName: string;
    readonly roles: readonly string[];
    readonly checks: readonly { readonly check: string; readonly result: string; readonly code: string }[];
  };
  /** The subject member's status history (audit entries). */
  readonly history: readonly { readonly at: string; readonly kind: string }[];
}

export function workspaceLoginPage(page: PageContext, loginUrl: string): string {
  const { t } = page.msg;
  return renderPage(
    page,
    t('workspace.title'),
    <>
      <h1>{t('workspace.title')}</h1>
      <p>{t('workspace.loginIntro')}</p>
      <p>
        <a class="button" id="board-login" href={loginUrl}>
          {t('workspace.login')}
        </a>
      </p>
      <p>
        {t('workspace.noSeatCredential')} <a href={`${page.base}/board/seat`}>{t('workspace.receiveSeat')}</a>
      </p>
    </>,
  );
}

function timeLeft(page: PageContext, closesAt: string, now: Date): string {
  const hours = Math.max(0, Math.round((Date.parse(closesAt) - now.getTime()) / 3_600_000));
  return hours >= 48
    ? page.msg.t('workspace.daysLeft', { days: page.msg.number(Math.floor(hours / 24)) })
    : page.msg.t('workspace.hoursLeft', { hours: page.msg.number(hours) });
}

function MotionCard(props: { page: PageContext; motion: OpenMotion; csrf: string; now: Date }) {
  const { page, motion, csrf } = props;
  const { t } = page.msg;
  const kindKey = `motion.kind.${motion.kind}`;
  const heading = `motion-${motion.id}`;
  return (
    <section class="motion" aria-labelledby={heading}>
      <h2 id={heading}>{page.msg.has(kindKey) ? t(kindKey) : motion.kind}</h2>
      <dl>
        <dt>{t('workspace.subject')}</dt>
        <dd>
          <code>{motion.subject}</code>
        </dd>
        <dt>{t('workspace.reason')}</dt>
        <dd>{motion.reason}</dd>
        <dt>{t('workspace.rule')}</dt>
        <dd>
          {t('workspace.ruleText', {
            approvals: motion.rule.minApprovals,
            days: motion.rule.votingPeriodDays,
          })}{' '}
          {motion.rule.majorityOfVotesCast ? t('workspace.ruleMajority') : ''}{' '}
          {motion.rule.recusal ? t('workspace.ruleRecusal') : ''}
        </dd>
        <dt>{t('workspace.tally')}</dt>
        <dd>{t('workspace.tallyText', { approvals: motion.approvals, rejections: motion.rejections })}</dd>
        <dt>{t('workspace.closes')}</dt>
        <dd>
          {page.msg.dateTime(motion.closesAt)} ({timeLeft(page, motion.closesAt, props.now)})
        </dd>
        <dt>{t('workspace.recusals')}</dt>
        <dd>{motion.recused.length > 0 ? motion.recused.join(', ') : t('workspace.noRecusals')}</dd>
      </dl>
      {motion.application && (
        <>
          <h3>{t('workspace.application')}</h3>
          <p>
            {motion.application.legalName} ({motion.application.roles.join(', ')})
          </p>
          <ul class="checks">
            {motion.application.checks.map((c) => (
              <li key={c.check}>
                <code>{c.check}</code>:{' '}
                {t(c.result === 'passed' ? 'workspace.checkPassed' : 'workspace.checkFailed')}
                {c.code ? <code> {c.code}</code> : ''}
              </li>
            ))}
          </ul>
        </>
      )}
      {motion.history.length > 0 && (
        <>
          <h3>{t('workspace.history')}</h3>
          <ul class="history">
            {motion.history.map((entry) => (
              <li key={`${entry.at}${entry.kind}`}>
                {page.msg.dateTime(entry.at)}: {auditKindText(page.msg, entry.kind)}
              </li>
            ))}
          </ul>
        </>
      )}
      {motion.votes.length > 0 && (
        <ul class="votes">
          {motion.votes.map((vote) => (
            <li key={vote.voter}>
              {vote.name}: {t(vote.decision === 'approve' ? 'vote.approve' : 'vote.reject')}
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href={`${page.base}/board/motions/${encodeURIComponent(motion.id)}`}>{t('workspace.details')}</a>
      </p>
      {motion.memberVote ? (
        <p class="verified">{t('workspace.voted')}</p>
      ) : (
        <form
          class="stacked"
          method="post"
          action={`${page.base}/board/workspace/motions/${encodeURIComponent(motion.id)}/vote`}
        >
          <CsrfField token={csrf} />
          {motion.memberRecused && (
            <p class="error" role="note">
              {t('workspace.youAreRecused')}
            </p>
          )}
          <fieldset>
            <legend>{t('workspace.decision')}</legend>
            <label>
              <input type="radio" name="decision" value="approve" required /> {t('workspace.approve')}
            </label>{' '}
            <label>
              <input type="radio" name="decision" value="reject" /> {t('workspace.reject')}
            </label>
          </fieldset>
          <label for={`reason-${motion.id}`}>{t('workspace.voteReason')}</label>
          <textarea id={`reason-${motion.id}`} name="reason" maxLength={2000} rows={2} />
          <p>
            <button type="submit">{t('workspace.sign')}</button>
          </p>
        </form>
      )}
    </section>
  );
}

export function workspacePage(
  page: PageContext & { csrf: string },
  member: { did: string; name: string },
  motions: readonly OpenMotion[],
  subjects: SubjectChoices,
  now: Date,
): string {
  const { t } = page.msg;
  return renderPage(
    page,
    t('workspace.title'),
    <>
      <h1>{t('workspace.title')}</h1>
      <p id="board-member">
        {t('workspace.loggedInAs', { name: member.name })} <code>{member.did}</code>
      </p>
      {motions.length === 0 ? (
        <p id="no-open-motions">{t('workspace.noOpen')}</p>
      ) : (
        motions.map((motion) => (
          <MotionCard key={motion.id} page={page} motion={motion} csrf={page.csrf} now={now} />
        ))
      )}
      <OpenMotionForm page={page} csrf={page.csrf} subjects={subjects} />
    </>,
  );
}

export interface SignPageInput extends WalletSigningInput {
  readonly decision: string;
  readonly motionId: string;
}

export function signPage(page: PageContext & { csrf: string }, input: SignPageInput): string {
  const { t } = page.msg;
  return renderPage(
    page,
    t('workspace.signTitle'),
    <>
      <h1>{t('workspace.signTitle')}</h1>
      <p>
        {t('workspace.signIntro', {
          decision: t(input.decision === 'approve' ? 'workspace.approve' : 'workspace.reject'),
        })}{' '}
        <code>{input.motionId}</code>
      </p>
      <WalletSigning page={page} csrf={page.csrf} input={input} signed={t('workspace.signed')} />
    </>,
  );
}

/**
 * A vote or motion the board's rules refused, or whose wallet answer the verifier refused (then
 * without a motion: the answer is not read), in words (and its code). The workspace asks again.
 */
export function signingRefusedPage(
  page: PageContext,
  refusal: { code: string; detail: string; status: number },
  options: { what: 'vote' | 'motion' | 'answer'; motionId?: string },
): string {
  const { t } = page.msg;
  const key = `workspace.refused.${refusal.code}`;
  const title = t(`workspace.refusedTitle.${options.what}`);
  const motionId = options.motionId;
  return renderPage(
    page,
    title,
    <>
      <h1>{title}</h1>
      <p class="error" role="alert" id="refusal">
        {page.msg.has(key) ? t(key) : refusal.detail}
      </p>
      <p>
        {t('error.code')} <code id="error-code">{refusal.code}</code>
      </p>
      <p>
        <a href={`${page.base}/board/workspace`}>{t('workspace.back')}</a>
        {motionId && (
          <>
            {' '}
            ·{' '}
            <a href={`${page.base}/board/motions/${encodeURIComponent(motionId)}`}>
              {t('workspace.details')}
            </a>
          </>
        )}
      </p>
    </>,
  );
}
