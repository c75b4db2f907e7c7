/**
 * The pages of applying for membership (issue 14 item 2): the application form, the page that
 * asks the wallet to present the evidence and sign the application (QR code for a wallet on
 * another device, a link for one on this device; a small nonced script polls, and a button does
 * the same without JavaScript), and a refusal in words with its code. Every text comes from the
 * message catalogues; every value is escaped by JSX.
 */
import type { MessageKey } from '../i18n/index.js';
import { CsrfField, type PageContext, renderPage } from '../layout.js';
import { WalletSigning, type WalletSigningInput, walletRefusalText } from '../wallet-signing.js';

/** What the form shows again after a refusal. */
export interface FormValues {
  readonly legalName?: string;
  readonly registrationNumber?: string;
  readonly country?: string;
  readonly roles?: readonly string[];
  readonly email?: string;
  readonly contactName?: string;
  readonly phone?: string;
}

export interface Refusal {
  readonly code: string;
  readonly detail: string;
}

function RefusalNote({
  page,
  refusal,
  lead = 'apply.refused',
}: {
  page: PageContext;
  refusal: Refusal;
  lead?: MessageKey;
}) {
  return (
    <div class="error" role="alert" id="refusal">
      <p>
        {page.msg.t(lead)} {refusal.detail}
      </p>
      <p>
        {page.msg.t('error.code')} <code id="error-code">{refusal.code}</code>
      </p>
    </div>
  );
}

export function applyPage(
  page: PageContext,
  csrf: string,
  roles: readonly { readonly id: string; readonly title: string }[],
  values: FormValues = {},
  refusal?: Refusal,
): string {
  const { t } = page.msg;
  const field = (name: keyof FormValues, label: string, options: Record<string, unknown> = {}) => (
    <p>
      <label for={name}>{label}</label>
      <br />
      <input
        id={name}
        name={name}
        type="text"
        value={(values[name] as string | undefined) ?? ''}
        {...options}
      />
    </p>
  );
  return renderPage(
    page,
    t('apply.title'),
    <>
      <h1>{t('apply.title')}</h1>
      <p>{t('apply.intro')}</p>
      {refusal && <RefusalNote page={page} refusal={refusal} />}
      <form method="post" action={`${page.base}/apply`} id="apply">
        <CsrfField token={csrf} />
        {field('legalName', t('apply.legalName'), {
          required: true,
          maxLength: 300,
          autocomplete: 'organization',
        })}
        {field('registrationNumber', t('apply.registrationNumber'), { required: true, maxLength: 100 })}
        {field('country', t('apply.country'), {
          required: true,
          pattern: '[A-Za-z]{2}',
          maxLength: 2,
          autocomplete: 'country',
        })}
        <fieldset>
          <legend>{t('apply.roles')}</legend>
          <p id="roles-hint">{t('apply.rolesHint')}</p>
          {roles.map((role) => (
            <p key={role.id}>
              <input
                type="checkbox"
                id={`role-${role.id}`}
                name={`role-${role.id}`}
                value="on"
                aria-describedby="roles-hint"
                checked={values.roles?.includes(role.id) ?? false}
              />{' '}
              <label for={`role-${role.id}`}>{role.title}</label>
            </p>
          ))}
        </fieldset>
        <fieldset>
          <legend>{t('apply.contact')}</legend>
          {field('email', t('apply.email'), {
            type: 'email',
            required: true,
            maxLength: 254,
            autocomplete: 'email',
          })}
          {field('contactName', t('apply.contactName'), { maxLength: 200, autocomplete: 'name' })}
          {field('phone', t('apply.phone'), { type: 'tel', maxLength: 25, autocomplete: 'tel' })}
        </fieldset>
        <p>
          <button type="submit">{t('apply.submit')}</button>
        </p>
      </form>
    </>,
  );
}

export interface ApplySignInput extends WalletSigningInput {
  readonly legalName: string;
}

export function applySignPage(page: PageContext, csrf: string, input: ApplySignInput): string {
  const { t } = page.msg;
  return renderPage(
    page,
    t('apply.signTitle'),
    <>
      <h1>{t('apply.signTitle')}</h1>
      <p>{t('apply.signIntro', { legalName: input.legalName })}</p>
      <WalletSigning page={page} csrf={csrf} input={input} signed={t('apply.signed')} />
    </>,
  );
}

/** An application membership refused (or a signing request that is gone), in words with its code. */
export function applyRefusedPage(page: PageContext, refusal: Refusal): string {
  const { t } = page.msg;
  return renderPage(
    page,
    t('apply.refusedTitle'),
    <>
      <h1>{t('apply.refusedTitle')}</h1>
      <RefusalNote page={page} refusal={refusal} />
      <p>
        <a href={`${page.base}/apply`}>{t('apply.again')}</a>
      </p>
    </>,
  );
}

/**
 * The verifier refused the wallet's answer (an untrusted or expired evidence credential, a
 * holder that is not the credentials' subject, an application not signed as shown, ...): why,
 * in fixed words with its code, and a button that asks the wallet again with a fresh request.
 */
export function applyWalletRefusedPage(
  page: PageContext,
  csrf: string,
  code: string,
  againUrl: string,
): string {
  const { t } = page.msg;
  return renderPage(
    page,
    t('apply.refusedTitle'),
    <>
      <h1>{t('apply.refusedTitle')}</h1>
      <RefusalNote
        page={page}
        refusal={{ code, detail: walletRefusalText(page.msg, code) }}
        lead="apply.walletRefused"
      />
      <form id="again" method="post" action={againUrl}>
        <CsrfField token={csrf} />
        <p id="again-hint">{t('apply.tryAgainHint')}</p>
        <button type="submit" aria-describedby="again-hint">
          {t('apply.tryAgain')}
        </button>
      </form>
      <p>
        <a href={`${page.base}/apply`}>{t('apply.again')}</a>
      </p>
    </>,
  );
}
