//! The spec keys of the signed and session variants (`oauth_jwt_bearer`,
//! `session_login`, `aws_sigv4`, `client_auth: private_key_jwt`), and the
//! rule that a key is never sent as a token.

use serde_yaml::{Mapping, Value};

use super::{KeyPath, Reader, Text};
use crate::error::Result;

/// The verification keys these variants add; each names a parameter or is
/// text with `{param}` placeholders.
#[derive(Debug, Clone, Default)]
pub struct SignedKeys {
    /// `oauth_jwt_bearer`: the parameter holding the service-account key (JSON).
    pub key_json: Option<Text>,
    /// `oauth_jwt_bearer`: the user to act as (`sub`), text or `{param}`.
    pub subject: Option<Text>,
    pub login: Option<Login>,
    pub access_key_id: Option<Text>,
    pub secret_access_key: Option<Text>,
    pub session_token: Option<Text>,
    pub region: Option<Text>,
    pub service: Option<Text>,
    /// `client_auth: private_key_jwt`: the parameter holding a PEM key.
    pub private_key: Option<Text>,
    pub key_id: Option<Text>,
    pub signing_alg: Option<Text>,
}

/// `session_login`'s `login` block: the request that returns the session token.
#[derive(Debug, Clone, Default)]
pub struct Login {
    pub endpoint: Option<Text>,
    pub method: Option<Text>,
    pub json: Option<Vec<(Text, Text)>>,
    pub form: Option<Vec<(Text, Text)>>,
    pub token_field: Option<Text>,
    pub key: KeyPath,
}

impl SignedKeys {
    /// `self` (a `method_for` entry) over `base`, key by key.
    pub fn over(&self, base: &SignedKeys) -> SignedKeys {
        fn pick<T: Clone>(over: &Option<T>, base: &Option<T>) -> Option<T> {
            over.clone().or_else(|| base.clone())
        }
        SignedKeys {
            key_json: pick(&self.key_json, &base.key_json),
            subject: pick(&self.subject, &base.subject),
            login: pick(&self.login, &base.login),
            access_key_id: pick(&self.access_key_id, &base.access_key_id),
            secret_access_key: pick(&self.secret_access_key, &base.secret_access_key),
            session_token: pick(&self.session_token, &base.session_token),
            region: pick(&self.region, &base.region),
            service: pick(&self.service, &base.service),
            private_key: pick(&self.private_key, &base.private_key),
            key_id: pick(&self.key_id, &base.key_id),
            signing_alg: pick(&self.signing_alg, &base.signing_alg),
        }
    }
}

impl Reader<'_> {
    pub(super) fn signed_keys(&self, map: &Mapping, key: &KeyPath) -> Result<SignedKeys> {
        let t = |name: &str| self.opt_text(map, key, name);
        let login = match map.get("login") {
            None | Some(Value::Null) => None,
            Some(Value::Mapping(login)) => {
                let lk = key.key("login");
                let lt = |name: &str| self.opt_text(login, &lk, name);
                let found = Login {
                    endpoint: lt("endpoint")?,
                    method: lt("method")?,
                    json: self.pairs(login.get("json"), &lk.key("json"))?,
                    form: self.pairs(login.get("form"), &lk.key("form"))?,
                    token_field: lt("token_field")?,
                    key: lk.clone(),
                };
                if found.json.is_some() && found.form.is_some() {
                    return Err(self.error(&lk.key("form"), "login takes `json` or `form`, not both"));
                }
                Some(found)
            }
            Some(_) => {
                return Err(
                    self.error(&key.key("login"), "expected a mapping: {endpoint, method, json or form, token_field}")
                );
            }
        };
        Ok(SignedKeys {
            key_json: t("key_json")?,
            subject: t("subject")?,
            login,
            access_key_id: t("access_key_id")?,
            secret_access_key: t("secret_access_key")?,
            session_token: t("session_token")?,
            region: t("region")?,
            service: t("service")?,
            private_key: t("private_key")?,
            key_id: t("key_id")?,
            signing_alg: t("signing_alg")?,
        })
    }
}

/// What a parameter holds when it is key material rather than a token, and
/// the variant that uses it (the one rule: plan and lint ask it). Decided
/// from the spec alone: the parameter's name, then its description.
pub fn key_material(name: &str, description: Option<&str>) -> Option<KeyKind> {
    let n = name.to_ascii_lowercase();
    let d = description.unwrap_or("").to_ascii_lowercase();
    let said = |words: &[&str]| words.iter().any(|w| n.contains(w) || d.contains(w));
    if said(&["service_account", "service account", "key_json", "credentials_json", "keyfile"]) {
        return Some(KeyKind::ServiceAccount);
    }
    if said(&["client_assertion", "client assertion", "signed jwt"]) {
        return Some(KeyKind::Assertion);
    }
    let private_key_name = n.contains("private_key")
        || n.contains("privatekey")
        || n.ends_with("_pem")
        || n == "pem"
        || n.contains("pem_key");
    let pem_word = d.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| w == "pem");
    if private_key_name || d.contains("private key") || pem_word {
        return Some(KeyKind::PrivateKey);
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// A service-account key file (JSON holding a private key).
    ServiceAccount,
    /// A PEM private key.
    PrivateKey,
    /// A signed JWT that authenticates a client.
    Assertion,
}

impl KeyKind {
    pub fn what(self) -> &'static str {
        match self {
            KeyKind::ServiceAccount => "a service-account key",
            KeyKind::PrivateKey => "a PEM private key",
            KeyKind::Assertion => "a client assertion",
        }
    }

    /// The spec that uses it for what it is.
    pub fn instead(self) -> &'static str {
        match self {
            KeyKind::ServiceAccount => "`auth: oauth_jwt_bearer` with `key_json: <parameter>`",
            KeyKind::PrivateKey | KeyKind::Assertion => {
                "`auth: oauth_client_credentials` with `client_auth: private_key_jwt` and `private_key: <parameter>`"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_material_from_names_and_descriptions() {
        assert_eq!(key_material("private_key_pem", None), Some(KeyKind::PrivateKey));
        assert_eq!(key_material("service_account_json", None), Some(KeyKind::ServiceAccount));
        assert_eq!(key_material("key_json", None), Some(KeyKind::ServiceAccount));
        assert_eq!(
            key_material("creds", Some("The service account key file, as JSON.")),
            Some(KeyKind::ServiceAccount)
        );
        assert_eq!(key_material("signing_key", Some("RSA private key (PEM).")), Some(KeyKind::PrivateKey));
        assert_eq!(key_material("client_assertion", None), Some(KeyKind::Assertion));
        assert_eq!(key_material("api_key", Some("Your API key.")), None);
        assert_eq!(key_material("access_token", None), None);
    }
}
