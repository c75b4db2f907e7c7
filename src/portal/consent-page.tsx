/**
 * The consent page (issue 11 item 3): after the citizen's wallet login, what a member's app asks
 * them to agree to, in plain language. Server-rendered with preact (every value escaped by the
 * renderer), usable without JavaScript (a plain form), styled only by a `<style>` carrying the
 * response's CSP nonce. Nothing is pre-ticked (GDPR Art. 4(11), Art. 7; CJEU C-673/17 Planet49):
 * the citizen ticks the purposes they agree to, or declines.
 */
import { renderToString } from 'preact-render-to-string';
import type { Messages } from './i18n/index.js';

/** A term as the citizen reads it. */
export interface PageTerm {
  readonly id: string;
  readonly label: string;
  readonly description?: string;
}

export interface ConsentPageProps {
  /** The controller's registered legal name. */
  readonly controllerName: string;
  readonly controllerDid: string;
  readonly title: string;
  readonly text: string;
  readonly version: number;
  readonly hash: string;
  readonly purposes: readonly PageTerm[];
  readonly dataCategories: readonly (PageTerm & { readonly specialCategory: boolean })[];
  /** Members the controller passes the data to, by registered name. */
  readonly recipients: readonly { readonly did: string; readonly name: string }[];
  readonly legalBasis: PageTerm;
  readonly retentionDays: number;
  readonly jurisdiction: string;
  readonly language: string;
  /** The page's own texts: the notice's language when the portal speaks it, else the browser's. */
  readonly msg: Messages;
  /** Where the citizen withdraws consent later (the dashboard). */
  readonly withdrawalUrl: string;
  /** Where the form posts. */
  readonly action: string;
  /** The form's CSRF token, bound to this interaction. */
  readonly csrf: string;
  /** The nonce of this response's Content-Security-Policy. */
  readonly nonce: string;
  /** Shown when the form came back without a ticked purpose. */
  readonly error?: 'no_purpose';
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}
fieldset{border:1px solid #666;border-radius:.3rem;margin:1rem 0;padding:.5rem 1rem}
label{display:block;margin:.4rem 0}.hint{color:#444;font-size:.95rem}
.error{border:2px solid #a00;padding:.5rem 1rem;color:#700}
button{padding:.6rem 1.2rem;margin-right:1rem;border:1px solid #333;border-radius:.3rem;font-size:1rem}
button.primary{background:#0b4f8a;color:#fff}`;

function Term({ term }: { term: PageTerm }) {
  return (
    <>
      <strong>{term.label}</strong>
      {term.description ? <span class="hint"> — {term.description}</span> : null}
    </>
  );
}

function ConsentPage(props: ConsentPageProps) {
  const { t } = props.msg;
  return (
    <html lang={props.msg.locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{t('consentPage.title', { name: props.controllerName })}</title>
        <style nonce={props.nonce}>{STYLE}</style>
      </head>
      <body>
        <main>
          <h1>
            {t('consentPage.heading', { name: props.controllerName })}{' '}
            <span lang={props.language}>{props.title}</span>
          </h1>
          {props.error ? (
            <p class="error" role="alert" id="error">
              {t('consentPage.noPurpose')}
            </p>
          ) : null}
          <p id="notice-text" lang={props.language}>
            {props.text}
          </p>
          <form method="post" action={props.action}>
            <input type="hidden" name="csrf" value={props.csrf} />
            <input type="hidden" name="version" value={String(props.version)} />
            <input type="hidden" name="hash" value={props.hash} />
            <fieldset>
              <legend>
                <h2>{t('consentPage.agree')}</h2>
              </legend>
              {props.purposes.map((purpose, index) => (
                <label key={purpose.id}>
                  <input type="checkbox" name={`purpose.${index}`} value={purpose.id} />{' '}
                  <Term term={purpose} />
                </label>
              ))}
            </fieldset>
            <h2>{t('consentPage.data')}</h2>
            <ul id="data-categories">
              {props.dataCategories.map((category) => (
                <li key={category.id}>
                  <Term term={category} />
                  {category.specialCategory ? ` (${t('consentPage.special')})` : ''}
                </li>
              ))}
            </ul>
            <h2>{t('consentPage.recipients')}</h2>
            <ul id="recipients">
              <li>{t('consentPage.controller', { name: props.controllerName, did: props.controllerDid })}</li>
              {props.recipients.map((recipient) => (
                <li key={recipient.did}>
                  {recipient.name} ({recipient.did})
                </li>
              ))}
            </ul>
            <h2>{t('consentPage.terms')}</h2>
            <dl>
              <dt>{t('consent.legalBasis')}</dt>
              <dd>
                <Term term={props.legalBasis} />
              </dd>
              <dt>{t('consentPage.howLong')}</dt>
              <dd id="retention">
                {t('consentPage.retention', { days: props.msg.number(props.retentionDays) })}
              </dd>
              <dt>{t('consentPage.jurisdiction')}</dt>
              <dd>{props.jurisdiction}</dd>
              <dt>{t('consent.notice')}</dt>
              <dd>
                {t('consentPage.version', { version: props.version })} <code>{props.hash}</code>
              </dd>
            </dl>
            <h2>{t('consentPage.changeMind')}</h2>
            <p id="withdrawal">
              {t('consentPage.withdrawal')} <a href={props.withdrawalUrl}>{t('consentPage.dashboard')}</a> (
              {props.withdrawalUrl}). {t('consentPage.receipt')}
            </p>
            <p>
              <button type="submit" class="primary" name="decision" value="accept">
                {t('consentPage.accept')}
              </button>
              <button type="submit" name="decision" value="decline">
                {t('consentPage.decline')}
              </button>
            </p>
          </form>
        </main>
      </body>
    </html>
  );
}

/** The consent page as an HTML document. */
export function renderConsentPage(props: ConsentPageProps): string {
  return `<!doctype html>\n${renderToString(<ConsentPage {...props} />)}`;
}
