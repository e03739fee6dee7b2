/** A `sub` becomes a key of sessions and quotas and appears in logs: the AUTH_TOKENS principals' characters, and `|` (auth0|123). */
export const SUBJECT = /^[\w.@|-]{1,128}$/;
/** An app's name (the `app` claim). */
export const APP = /^[\w.-]{1,64}$/;
/** The protocol's SessionId: 1–128 printable characters (the `session_id` claim). */
export const SESSION_ID = /^[^\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]{1,128}$/u;
