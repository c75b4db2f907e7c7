/**
 * The board and its decisions (issue 14 item 1): the seats, the decided motions a page at a
 * time, and each motion with its votes. Every vote, and the statement that opened the motion, is
 * shown as its board member signed it (a compact JWS by the member's DID, or a wallet's JWT VP
 * with the `transaction_data` item it signs), with what anyone needs to check it themselves.
 */
import type { BoardMemberView } from '../../governance/board.js';
import type { MotionView, VoteView } from '../../governance/engine.js';
import { type PageContext, renderPage } from '../layout.js';
import { memberHref } from './directory.js';
import { Code, motionKindText, outcomeText, Pager, TableWrap, When, withQuery } from './parts.js';
import { SignedStatement } from './signed-statement.js';

const motionHref = (base: string, id: string) => `${base}/board/motions/${encodeURIComponent(id)}`;

export function boardPage(
  page: PageContext,
  board: readonly BoardMemberView[],
  decided: { readonly items: readonly MotionView[]; readonly next?: string },
  paged: boolean,
): string {
  const { t } = page.msg;
  const path = `${page.base}/board`;
  const seated = board.filter((member) => member.status === 'active');
  return renderPage(
    page,
    t('board.title'),
    <>
      <h1>{t('board.title')}</h1>
      <p>{t('board.intro')}</p>
      <h2>{t('board.members')}</h2>
      {seated.length === 0 ? (
        <p>{t('board.empty')}</p>
      ) : (
        <ul id="board-members">
          {seated.map((member) => (
            <li key={member.did}>
              {member.name} — <Code>{member.did}</Code> ({t('board.since')}{' '}
              <When at={member.since} msg={page.msg} />)
            </li>
          ))}
        </ul>
      )}
      <h2>{t('board.decided')}</h2>
      {decided.items.length === 0 ? (
        <p id="no-motions">{t('board.noMotions')}</p>
      ) : (
        <TableWrap label={t('board.decidedCaption')}>
          <table id="motions">
            <caption>{t('board.decidedCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('motion.motion')}</th>
                <th scope="col">{t('motion.subject')}</th>
                <th scope="col">{t('motion.outcome')}</th>
                <th scope="col">{t('motion.votes')}</th>
                <th scope="col">{t('motion.decided')}</th>
              </tr>
            </thead>
            <tbody>
              {decided.items.map((motion) => (
                <tr key={motion.id} data-motion-id={motion.id}>
                  <td>
                    <a href={motionHref(page.base, motion.id)}>{motionKindText(page.msg, motion.kind)}</a>
                  </td>
                  <td>
                    <Code>{motion.subject}</Code>
                  </td>
                  <td>{t(`motion.status.${motion.status}`)}</td>
                  <td>
                    {t('motion.tally', {
                      approvals: page.msg.number(motion.tally.approvals),
                      rejections: page.msg.number(motion.tally.rejections),
                    })}
                  </td>
                  <td>{motion.decidedAt && <When at={motion.decidedAt} msg={page.msg} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <Pager
        msg={page.msg}
        label={t('paging.label')}
        {...(paged ? { first: path } : {})}
        {...(decided.next ? { next: withQuery(path, { before: decided.next }) } : {})}
      />
    </>,
  );
}

export function motionPage(
  page: PageContext,
  motion: MotionView,
  apiUrl: string,
  memberSubject: boolean,
): string {
  const { t } = page.msg;
  const title = t('motion.title', { kind: motionKindText(page.msg, motion.kind) });
  return renderPage(
    page,
    title,
    <>
      <h1>{title}</h1>
      <dl id="motion-facts">
        <dt>{t('motion.id')}</dt>
        <dd>
          <Code>{motion.id}</Code>
        </dd>
        <dt>{t('motion.subject')}</dt>
        <dd>
          {memberSubject ? (
            <a href={memberHref(page.base, motion.subject)}>
              <code>{motion.subject}</code>
            </a>
          ) : (
            <Code>{motion.subject}</Code>
          )}
        </dd>
        <dt>{t('motion.reason')}</dt>
        <dd>{motion.reason}</dd>
        <dt>{t('motion.status')}</dt>
        <dd id="motion-status">{t(`motion.status.${motion.status}`)}</dd>
        {motion.outcomeReason && (
          <>
            <dt>{t('motion.outcome')}</dt>
            <dd id="motion-outcome">
              {outcomeText(page.msg, motion.outcomeReason)} (<code>{motion.outcomeReason}</code>)
            </dd>
          </>
        )}
        <dt>{t('motion.opened')}</dt>
        <dd>
          <When at={motion.openedAt} msg={page.msg} /> — <Code>{motion.openedBy}</Code>
        </dd>
        {motion.decidedAt && (
          <>
            <dt>{t('motion.decided')}</dt>
            <dd>
              <When at={motion.decidedAt} msg={page.msg} />
            </dd>
          </>
        )}
        <dt>{t('motion.rulebook')}</dt>
        <dd>
          <a href={`${page.base}/rulebook/versions/${encodeURIComponent(motion.rulebookVersion)}`}>
            {motion.rulebookVersion}
          </a>
        </dd>
        <dt>{t('motion.votes')}</dt>
        <dd id="motion-tally">
          {t('motion.tally', {
            approvals: page.msg.number(motion.tally.approvals),
            rejections: page.msg.number(motion.tally.rejections),
          })}
        </dd>
      </dl>
      {motion.openingStatement && (
        <section id="opening" aria-labelledby="opening-title">
          <h2 id="opening-title">{t('motion.opening')}</h2>
          <SignedStatement
            page={page}
            signer={motion.openedBy}
            statement={motion.openingStatement}
            {...(motion.openingTransactionData ? { transactionData: motion.openingTransactionData } : {})}
          />
        </section>
      )}
      <h2>{t('motion.votes')}</h2>
      {motion.votes.length === 0 ? (
        <p>{t('motion.noVotes')}</p>
      ) : (
        <ol id="votes">
          {motion.votes.map((vote, index) => (
            <li key={vote.voter} data-voter={vote.voter}>
              <Vote page={page} vote={vote} index={index} />
            </li>
          ))}
        </ol>
      )}
      <h2>{t('verify.title')}</h2>
      <p>{t('verify.intro')}</p>
      <ol id="verify-recipe">
        <li>
          {t('verify.step1')}
          <pre>
            <code>{`curl -s '${apiUrl}' > motion.json`}</code>
          </pre>
        </li>
        <li>{t('verify.step2')}</li>
        <li>
          {t('verify.step3')}
          <pre>
            <code>
              {
                "node --input-type=module -e \"import {compactVerify, importJWK} from 'jose'; import {readFileSync} from 'node:fs'; const [jws, jwk, alg] = process.argv.slice(1); const {payload} = await compactVerify(jws, await importJWK(JSON.parse(readFileSync(jwk, 'utf8')), alg)); console.log(new TextDecoder().decode(payload))\" \"$(jq -r '.votes[0].statement' motion.json)\" key.json EdDSA"
              }
            </code>
          </pre>
        </li>
        <li>{t('verify.step4')}</li>
        <li>{t('verify.step5')}</li>
      </ol>
      <p>
        <a href={`${page.base}/board`}>{t('motion.back')}</a>
      </p>
    </>,
  );
}

function Vote({
  page,
  vote,
  index,
}: {
  readonly page: PageContext;
  readonly vote: VoteView;
  readonly index: number;
}) {
  const { t } = page.msg;
  return (
    <article aria-labelledby={`vote-${index}`}>
      <h3 id={`vote-${index}`}>
        {t(`vote.${vote.decision}`)} — <When at={vote.castAt} msg={page.msg} />
      </h3>
      <SignedStatement
        page={page}
        signer={vote.voter}
        statement={vote.statement}
        {...(vote.transactionData ? { transactionData: vote.transactionData } : {})}
      >
        {vote.reason && (
          <>
            <dt>{t('motion.reason')}</dt>
            <dd>{vote.reason}</dd>
          </>
        )}
      </SignedStatement>
    </article>
  );
}
