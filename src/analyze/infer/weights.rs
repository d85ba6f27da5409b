//! Every weight and threshold the inference uses, in one table. A weight is
//! how directly one piece of evidence says something; pieces for one finding
//! combine as `1 - Π(1 - w)` (see [`super::score::Score`]).

// Combining evidence.

/// One piece of evidence never outweighs everything else on its own.
pub const MAX_SINGLE_WEIGHT: f64 = 0.95;
/// No finding reaches certainty: the doc may be wrong or out of date.
pub const MAX_CONFIDENCE: f64 = 0.99;
/// Confidences closer than this are a tie (float noise), broken by doc order.
pub const TIE: f64 = 1e-9;
/// "Not recommended", "legacy", "avoid": a mention counts half.
pub const DISCOURAGED_FACTOR: f64 = 0.5;

// Where a header, URL or user:password pair is written.

/// A `curl` example or HTTP request block: what the reader will literally send.
pub const VIA_REQUEST: f64 = 0.6;
/// Another code line: meant to be copied, but not a whole request.
pub const VIA_CODE: f64 = 0.55;
/// Inline code or a table cell: precise, but possibly only descriptive.
pub const VIA_INLINE: f64 = 0.5;
/// Prose: the weakest form, easy to misread.
pub const VIA_PROSE: f64 = 0.35;

// Variants.

/// "Bearer" as a word: common in prose that is not about this API's scheme.
pub const KEYWORD_BEARER: f64 = 0.3;
/// "HTTP Basic" as words: rarer, so it says a little more than "Bearer".
pub const KEYWORD_BASIC: f64 = 0.4;
/// "No authentication is required": an explicit statement.
pub const KEYWORD_NO_AUTH: f64 = 0.6;
/// "Bearer" beside the OAuth access token: supports OAuth, weakly.
pub const BEARER_FOR_OAUTH_TOKEN: f64 = 0.2;
/// "the `Authorization` header" with "Bearer" said in the same unit: prose strength.
pub const AUTHORIZATION_SCHEME_IN_WORDS: f64 = 0.35;
/// "the `Authorization` header" alone: supports whatever the examples put there.
pub const BARE_AUTHORIZATION: f64 = 0.3;
/// A credential-like header named in prose without a value: prose strength.
pub const KEY_HEADER_NAMED: f64 = 0.35;
/// "a custom header" said in words: supports the header the doc names, weakly.
pub const CUSTOM_HEADER_SAID: f64 = 0.2;
/// A query parameter named in a clause about keys or tokens.
pub const QUERY_NAME_ABOUT_KEY: f64 = 0.55;
/// A query parameter named anywhere else: most query parameters are not keys.
pub const QUERY_NAME_OTHER: f64 = 0.25;
/// A key-like query parameter with a secret-looking value in a request.
pub const QUERY_SECRET_IN_REQUEST: f64 = 0.55;
/// The same in another URL: slightly less direct than a request.
pub const QUERY_SECRET_IN_URL: f64 = 0.5;
/// "No header-based authentication" keeps this share of a header method's confidence.
pub const NO_HEADER_FACTOR: f64 = 0.3;
/// OAuth that the doc says is for apps other people use, on a doc that also
/// offers the user's own key or token: it keeps this share of its confidence
/// (the check proves the connector author's own credentials).
pub const OAUTH_FOR_OTHERS_FACTOR: f64 = 0.5;
/// "Preferred"/"recommended" beside a method's evidence: a nudge, not a decision.
pub const PREFERRED: f64 = 0.15;
/// Variants below this are noise (one stray keyword) and are not reported.
pub const MIN_VARIANT: f64 = 0.3;

// OAuth.

/// A URL path ending in `/token`: the usual token endpoint shape.
pub const TOKEN_PATH: f64 = 0.35;
/// A clause calling a URL the token endpoint.
pub const TOKEN_CUE: f64 = 0.35;
/// A POST next to a grant type: a token request even with an unusual path.
pub const TOKEN_POST_WITH_GRANT: f64 = 0.3;
/// A URL path ending in `/authorize` or `/auth`.
pub const AUTHORIZE_PATH: f64 = 0.35;
/// A clause calling a URL the authorization endpoint or consent page.
pub const AUTHORIZE_CUE: f64 = 0.35;
/// Path and cue together still leave room for a mislabelled URL.
pub const MAX_URL_ROLE: f64 = 0.9;
/// "OAuth" or a grant type as a word.
pub const KEYWORD_OAUTH: f64 = 0.3;
/// An authorization URL implies a user grant (refresh token), weakly.
pub const AUTHORIZE_URL_IMPLIES_REFRESH: f64 = 0.2;
/// Share of the token URL's confidence that counts for OAuth itself.
pub const TOKEN_URL_SHARE: f64 = 0.6;
/// Share of the grant's confidence that counts for OAuth itself.
pub const GRANT_SHARE: f64 = 0.6;
/// Share of the authorization URL's confidence: optional for client credentials.
pub const AUTHORIZE_URL_SHARE: f64 = 0.3;
/// A token URL without the word "OAuth" or a grant needs this much to count.
pub const MIN_OAUTH_WITHOUT_MENTION: f64 = 0.3;
/// An inline-code scope in a clause about scopes.
pub const SCOPE_MENTION: f64 = 0.5;
/// An `audience` field of the token request in a code example.
pub const AUDIENCE_IN_TOKEN_REQUEST: f64 = 0.55;
/// An `access_type=offline`-style parameter in inline code.
pub const AUTH_PARAM_MENTION: f64 = 0.5;

// The credential's name.

/// A placeholder in the example (`<token>`): the doc's own name for it.
pub const CREDENTIAL_PLACEHOLDER: f64 = 0.5;
/// Derived from the header's name, per line of the method's evidence.
pub const CREDENTIAL_FROM_HEADER: f64 = 0.3;
/// How a sentence calls it ("your API key").
pub const CREDENTIAL_FROM_TEXT: f64 = 0.4;
/// The variant's default name: a guess.
pub const CREDENTIAL_DEFAULT: f64 = 0.2;
/// "user name"/"password" said beside Basic evidence confirms the pair's roles.
pub const USERPASS_SAID: f64 = 0.2;

// Base URL.

/// A URL the doc calls the base URL (or sits alone under such a heading).
pub const BASE_STATED: f64 = 0.6;
/// The same inside an aside or introduced as an example: an instance, not the rule.
pub const BASE_STATED_ASIDE: f64 = 0.2;
/// A clause at most this many characters longer than its URL holds little but the URL.
pub const BASE_ALONE_SLACK: usize = 8;
/// A call's absolute URL minus a path the doc also writes relative.
pub const BASE_FROM_CALL_PATH: f64 = 0.35;
/// A call's origin plus its `/api`, `/v1` segments: a guess at the root.
pub const BASE_FROM_CALL_ORIGIN: f64 = 0.2;
/// Each call URL under the base confirms it a little.
pub const BASE_CONFIRMED_BY_CALL: f64 = 0.15;

// Endpoint.

/// A GET in a `curl` example or request block.
pub const CALL_IN_REQUEST: f64 = 0.2;
/// A GET written elsewhere (inline, prose).
pub const CALL_ELSEWHERE: f64 = 0.15;
/// "The cheapest call", "to check a token": the doc picks it for us.
pub const VERIFY_CUE: f64 = 0.55;
/// A clause calling it an example.
pub const EXAMPLE_CLAUSE: f64 = 0.25;
/// Under a "Verifying a key"/"Test" heading.
pub const VERIFY_SECTION: f64 = 0.3;
/// Under an "Example" heading.
pub const EXAMPLE_SECTION: f64 = 0.2;
/// Already asks for one item: written to be cheap.
pub const PAGE_SIZE_ONE: f64 = 0.4;
/// `/me`, `/user`, `/whoami`...: identity calls prove the credential best.
pub const CHEAP_PATH: f64 = 0.45;
/// A placeholder the base URL does not fill needs a resource ID we do not have.
pub const UNRESOLVED_FACTOR: f64 = 0.3;
/// An absolute URL not under the base: likely another service.
pub const ABSOLUTE_FACTOR: f64 = 0.5;
/// Below this no call is proposed: better none than a random one.
pub const MIN_ENDPOINT: f64 = 0.15;

// The chosen call's extras.

/// A query parameter in an example of the chosen call.
pub const CALL_QUERY_PARAM: f64 = 0.45;
/// A page-size parameter named in the call's section (asked for one item).
pub const PAGE_SIZE_NAMED: f64 = 0.4;
/// A header sent with the chosen call.
pub const HEADER_WITH_CALL: f64 = 0.6;
/// A header in the same block as the credential header.
pub const HEADER_BESIDE_CREDENTIAL: f64 = 0.55;
/// A header in the auth section, or said to be required.
pub const HEADER_IN_AUTH_SECTION: f64 = 0.45;
/// Extra headers below this are left out: a wrong header can break the check.
pub const MIN_HEADER: f64 = 0.5;
/// A field the doc says the call returns: stated once, in prose.
pub const SHOW_FIELD: f64 = 0.5;

// Signed JWTs.

/// A client assertion, a JWT bearer grant or a service-account key file named
/// in the doc: the method is specific, and a line that says so is rare by chance.
pub const SIGNED_JWT_SAID: f64 = 0.6;

// Derived values.

/// A value the doc says is a part of the secret ("the part after the dash"):
/// stated once, in prose.
pub const DERIVE_SAID: f64 = 0.5;
/// Hosts the doc lists per region (a table or list of the same API root on
/// several hosts, the rows saying region, residency or data center).
pub const DERIVE_REGION_ROWS: f64 = 0.5;
