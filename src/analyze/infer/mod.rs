//! Facts into findings. Each piece of evidence carries a weight (how
//! directly the doc says it: a header in a `curl` example says more than a
//! word in prose, see [`weights`]); the pieces for one finding combine in a
//! [`score::Score`]. Rejected evidence ("not used") counts for nothing.
//!
//! The steps, each in its own module: [`variant`] weighs which auth variants
//! the doc supports and where their credential goes, [`oauth`] finds the
//! token and authorization URLs, grant and scopes, [`placement`] fills the
//! chosen variant's keys (header, prefix, credential, user name...),
//! [`base_url`] and [`endpoint`] pick where to send the check,
//! [`request`] adds the chosen call's query parameters, headers and `show`
//! field, and [`parameters`] lists the parameters the proposal needs.

mod base_url;
mod context;
mod derive;
mod endpoint;
mod oauth;
mod parameters;
mod placement;
mod request;
mod score;
mod variant;
mod weights;

use std::collections::BTreeSet;

use super::facts::Facts;
use super::finding::{Finding, Kind, Value};
use super::model::{Analysis, Block, SignedJwt};
use super::scan::Doc;
use super::text::plain_lower;
use context::{Ctx, Proposal};

pub fn infer(doc: &Doc, facts: &Facts, spec_params: &[String]) -> Analysis {
    let ctx = Ctx { doc, facts, unit_lower: doc.units.iter().map(|u| plain_lower(&u.text)).collect(), spec_params };
    let mut oauth = oauth::evidence(&ctx);
    let evidence = variant::weigh(&ctx, &mut oauth);
    let mut findings: Vec<Finding> = Vec::new();
    for (v, s) in &evidence.ranked {
        findings.push(Finding {
            kind: Kind::Auth,
            value: Value::Text(v.name().into()),
            lines: s.lines(),
            confidence: s.conf(),
        });
    }
    let Some((variant, auth_score)) = evidence.ranked.first().cloned() else {
        return Analysis {
            findings,
            block: None,
            oauth: None,
            parameters: Vec::new(),
            signed_jwt: None,
            lines: doc.lines.clone(),
        };
    };
    let mut proposal = Proposal {
        findings,
        block: Block { auth: Some(variant), ..Block::default() },
        oauth: None,
        params: Vec::new(),
        auth_query_param: None,
    };
    placement::place(&ctx, &evidence, &oauth, variant, &auth_score, &mut proposal);
    let oauth_urls: BTreeSet<String> =
        [&oauth.token_url, &oauth.authorization_url].into_iter().flatten().map(|(u, _)| u.clone()).collect();
    where_to_call(&ctx, &oauth_urls, &mut proposal);
    let signed_jwt = signed_jwt(ctx.doc, &ctx.unit_lower, proposal.oauth.as_ref());
    if let Some(jwt) = &signed_jwt {
        use_signed_jwt(jwt, &mut proposal);
    }
    parameters::finish(&mut proposal);
    derive::derive(&ctx, &mut proposal);
    derive::region_hosts(&ctx, &mut proposal);
    Analysis {
        findings: proposal.findings,
        block: Some(proposal.block),
        oauth: proposal.oauth,
        parameters: proposal.params,
        signed_jwt,
        lines: doc.lines.clone(),
    }
}

/// A signed-JWT method: client assertions (`private_key_jwt`) or a
/// service-account key's JWT bearer grant, with the lines that say so.
fn signed_jwt(doc: &Doc, unit_lower: &[String], oauth: Option<&super::model::OauthBlock>) -> Option<SignedJwt> {
    let lines_with = |cues: &[&str]| -> Vec<usize> {
        unit_lower
            .iter()
            .enumerate()
            .filter_map(|(i, u)| cues.iter().find_map(|c| u.find(c)).map(|at| doc.units[i].line_at(at)))
            .collect()
    };
    let assertion = lines_with(&["client_assertion", "private_key_jwt", "client-assertion-type"]);
    let grant = lines_with(&["grant-type:jwt-bearer", "json key file", "service account key", "service-account key"]);
    let whole = unit_lower.join(" ");
    let alg = ["rs384", "es384", "es256", "rs256"].iter().find(|a| whole.contains(*a)).map(|a| a.to_ascii_uppercase());
    let scopes = oauth.and_then(|o| o.scopes.clone());
    let (keys, lines) = if !assertion.is_empty() {
        let mut keys = vec![
            ("auth".to_string(), "oauth_client_credentials".to_string()),
            ("client_auth".into(), "private_key_jwt".into()),
            ("private_key".into(), "private_key_pem".into()),
        ];
        if let Some(a) = alg {
            keys.push(("signing_alg".into(), a));
        }
        (keys, assertion)
    } else if !grant.is_empty() {
        let mut keys = vec![
            ("auth".to_string(), "oauth_jwt_bearer".to_string()),
            ("key_json".into(), "service_account_json".into()),
        ];
        if let Some(s) = scopes {
            keys.push(("scopes".into(), s));
        }
        (keys, grant)
    } else {
        return None;
    };
    let mut lines = lines;
    lines.sort_unstable();
    lines.dedup();
    Some(SignedJwt { keys, lines })
}

/// A signed-JWT method replaces the variant weighed from headers: the key
/// signs an assertion and is never sent, so no header, prefix or credential
/// is proposed; the keys go into the verification block. A JWT bearer grant
/// needs no `connection.oauth` (the key file names its token URL) and no
/// client id or secret; a client assertion replaces the client secret.
fn use_signed_jwt(jwt: &SignedJwt, proposal: &mut Proposal) {
    let Some(variant) = jwt.keys.iter().find(|(k, _)| k == "auth").and_then(|(_, v)| crate::plan::Variant::parse(v))
    else {
        return;
    };
    let score = {
        let mut s = score::Score::default();
        for line in &jwt.lines {
            s.add(weights::SIGNED_JWT_SAID, *line, 0);
        }
        s
    };
    proposal.findings.retain(|f| !(f.kind == Kind::Auth && f.value == Value::Text(variant.name().into())));
    proposal.findings.insert(
        0,
        Finding {
            kind: Kind::Auth,
            value: Value::Text(variant.name().into()),
            lines: score.lines(),
            confidence: score.conf(),
        },
    );
    let b = &mut proposal.block;
    b.auth = Some(variant);
    for field in [&mut b.credential, &mut b.header, &mut b.prefix, &mut b.query_param, &mut b.username, &mut b.password]
    {
        *field = None;
    }
    proposal.findings.retain(|f| {
        !matches!(
            f.kind,
            Kind::Credential | Kind::Header | Kind::Prefix | Kind::QueryParam | Kind::Username | Kind::Password
        )
    });
    const KEYS: [&str; 5] = ["key_json", "scopes", "client_auth", "private_key", "signing_alg"];
    b.oauth_keys =
        KEYS.iter().filter_map(|k| jwt.keys.iter().find(|(name, _)| name == k).map(|(_, v)| (*k, v.clone()))).collect();
    let signed: Vec<(String, String)> =
        jwt.keys.iter().filter(|(k, _)| k != "auth" && k != "scopes").cloned().collect();
    proposal.push(Kind::SignedJwt, Value::Pairs(signed), &score);
    proposal.params.retain(|p| p.name != "client_secret");
    if variant == crate::plan::Variant::OauthJwtBearer {
        proposal.params.retain(|p| p.name != "client_id");
        proposal.oauth = None;
        // The grant is the JWT bearer one, not a guessed refresh grant.
        proposal.findings.retain(|f| f.kind != Kind::Grant);
    }
    for (k, v) in &jwt.keys {
        if k == "key_json" || k == "private_key" {
            proposal.add_param(v, true);
        }
    }
}

/// Base URL, endpoint, and the chosen call's query parameters, headers and `show` field.
fn where_to_call(ctx: &Ctx, oauth_urls: &BTreeSet<String>, proposal: &mut Proposal) {
    let base = base_url::base_url(ctx.facts, oauth_urls);
    if let Some((url, s)) = &base {
        proposal.push_text(Kind::BaseUrl, url, s);
        proposal.block.base_url = Some(url.clone());
    }
    let base_text = base.as_ref().map(|b| b.0.as_str());
    let known: Vec<String> = proposal
        .params
        .iter()
        .filter(|p| !p.secret)
        .map(|p| p.name.clone())
        .chain(ctx.spec_params.iter().cloned())
        .collect();
    let Some(ep) = endpoint::endpoint(ctx.facts, base_text, oauth_urls, &known) else { return };
    proposal.push_text(Kind::Endpoint, &ep.path, &ep.score);
    proposal.block.endpoint = Some(ep.path.clone());
    let (qp, qs) = request::query_params(ctx.doc, &ep, proposal.auth_query_param.as_deref());
    if !qp.is_empty() {
        proposal.push(Kind::Params, Value::Pairs(qp.clone()), &qs);
        proposal.block.params = qp;
    }
    let (headers, hs) = request::extra_headers(ctx.doc, ctx.facts, &ep, base_text);
    if !headers.is_empty() {
        proposal.push(Kind::Headers, Value::Pairs(headers.clone()), &hs);
        proposal.block.headers = headers;
    }
    if let Some((field, line)) = request::show(ctx.doc, &ep) {
        proposal.findings.push(Finding {
            kind: Kind::Show,
            value: Value::Text(field.clone()),
            lines: vec![line],
            confidence: weights::SHOW_FIELD,
        });
        proposal.block.show = Some(field);
    }
}
