/**
 * Opening a motion from the board's workspace (issue 14 item 3): the form (kind, subject chosen
 * from the member registry or the board, or typed, the new board member's name and affiliations,
 * the reason) and the page that asks the wallet to sign the motion. The engine decides whether
 * the motion may be opened; the form only carries its fields. Every text comes from the message
 * catalogues; every value is escaped by JSX.
 */
import { BOARD_MOTION_KINDS } from '../../rulebook/index.js';
import { CsrfField, type PageContext, renderPage } from '../layout.js';
import { WalletSigning, type WalletSigningInput } from '../wallet-signing.js';

/** A DID the form offers as subject: a member (legal name, status) or a board seat (name). */
export interface SubjectChoice {
  readonly did: string;
  readonly label: string;
}

export interface SubjectChoices {
  readonly members: readonly SubjectChoice[];
  readonly board: readonly SubjectChoice[];
}

const kindText = (page: PageContext, kind: string) => {
  const key = `motion.kind.${kind}`;
  return page.msg.has(key) ? page.msg.t(key) : kind;
};

export function OpenMotionForm(props: { page: PageContext; csrf: string; subjects: SubjectChoices }) {
  const { page, csrf, subjects } = props;
  const { t } = page.msg;
  return (
    <section class="open-motion" aria-labelledby="open-motion">
      <h2 id="open-motion">{t('workspace.open.title')}</h2>
      <p>{t('workspace.open.intro')}</p>
      <form
        id="open-motion-form"
        class="stacked"
        method="post"
        action={`${page.base}/board/workspace/motions`}
      >
        <CsrfField token={csrf} />
        <label for="motion-kind">{t('workspace.open.kind')}</label>
        <select id="motion-kind" name="kind" required>
          {BOARD_MOTION_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {kindText(page, kind)}
            </option>
          ))}
        </select>
        <label for="motion-member">{t('workspace.open.member')}</label>
        <select id="motion-member" name="member">
          <option value="">{t('workspace.open.typed')}</option>
          <optgroup label={t('workspace.open.members')}>
            {subjects.members.map((m) => (
              <option key={m.did} value={m.did}>
                {m.label} — {m.did}
              </option>
            ))}
          </optgroup>
          <optgroup label={t('workspace.open.board')}>
            {subjects.board.map((m) => (
              <option key={m.did} value={m.did}>
                {m.label} — {m.did}
              </option>
            ))}
          </optgroup>
        </select>
        <label for="motion-subject">{t('workspace.open.subject')}</label>
        <input id="motion-subject" name="subject" type="text" maxLength={500} />
        <label for="motion-name">{t('workspace.open.name')}</label>
        <input id="motion-name" name="name" type="text" maxLength={200} />
        <label for="motion-affiliations">{t('workspace.open.affiliations')}</label>
        <textarea id="motion-affiliations" name="affiliations" rows={2} />
        <label for="motion-reason">{t('workspace.open.reason')}</label>
        <textarea id="motion-reason" name="reason" maxLength={2000} rows={3} required />
        <p>
          <button type="submit">{t('workspace.open.sign')}</button>
        </p>
      </form>
    </section>
  );
}

export interface MotionSignPageInput extends WalletSigningInput {
  readonly kind: string;
  readonly subject: string;
}

/** The page that asks the wallet to sign the motion (QR code, link, poll, finish button). */
export function motionSignPage(page: PageContext & { csrf: string }, input: MotionSignPageInput): string {
  const { t } = page.msg;
  return renderPage(
    page,
    t('workspace.open.signTitle'),
    <>
      <h1>{t('workspace.open.signTitle')}</h1>
      <p>
        {t('workspace.open.signIntro', { kind: kindText(page, input.kind) })} <code>{input.subject}</code>
      </p>
      <WalletSigning page={page} csrf={page.csrf} input={input} signed={t('workspace.open.signed')} />
    </>,
  );
}
