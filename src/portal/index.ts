/** The portal: server-rendered pages for people (docs/portal.md). */
export { CSRF_FIELD } from './csrf.js';
export { PORTAL_ENTITIES } from './entities.js';
export { PORTAL_ERRORS, PortalError, type PortalErrorCode } from './errors.js';
export { LANGUAGE_COOKIE, LOCALES, type Locale } from './i18n/index.js';
export {
  CITIZEN_LOGIN_SCOPE,
  openPortal,
  PORTAL_CLIENT_ID,
  PORTAL_SWEEP_TARGETS,
  type Portal,
  type PortalClient,
  type PortalOptions,
  portalClientSecret,
} from './module.js';
export type { PublicSources } from './public/routes.js';
export type { LoginClaims, RelyingParty, VerifiedLogin } from './relying-party.js';
export { PORTAL_PATH, SESSION_COOKIE } from './routes.js';
export { endPortalSessions, type PortalSession, type SessionData, SessionStore } from './sessions.js';
