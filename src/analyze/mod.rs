//! Reading a source's API doc: how it authenticates, where to send a cheap
//! check, and the doc lines that say so.
//!
//! [`scan`] turns markdown into units that remember their lines, [`facts`]
//! pulls headers, URLs, calls and keywords out of them, and [`infer`] weighs
//! the facts into findings (each with a confidence and its lines) and the
//! proposed `verification` block. Nothing here reads or writes files.

mod curl;
mod facts;
mod finding;
mod infer;
mod model;
pub mod scan;
pub mod text;

pub use finding::{Finding, Kind, Value, round2};
pub use model::{
    Analysis, Block, Derivation, DeriveRule, DeriveValue, Entry, KeyConfidence, OauthBlock, ParamSuggestion, SignedJwt,
};

/// `--write --yes` refuses a block whose least sure key is below this
/// (unless `--accept-low-confidence`): below it the doc says the key only in
/// passing, or not at all, and a wrong key makes a check that proves nothing.
pub const WRITE_THRESHOLD: f64 = 0.40;

/// Analyse a markdown API doc.
pub fn analyze(markdown: &str) -> Analysis {
    analyze_for(markdown, &[])
}

/// The same, for a spec that already has these (non-secret) parameters: a
/// call whose path needs one of them (`/properties/{property_id}`) is no
/// resource ID the check lacks.
pub fn analyze_for(markdown: &str, spec_params: &[String]) -> Analysis {
    let doc = scan::scan(markdown);
    let facts = facts::collect(&doc);
    infer::infer(&doc, &facts, spec_params)
}

#[cfg(test)]
mod tests {
    /// Awkward fragments: unclosed fences and backticks, ragged tables,
    /// non-ASCII text, placeholders, curl with dangling flags.
    const FRAGMENTS: &[&str] = &[
        "# Authentication\n",
        "## ✓ Überblick — naïve «quotes»\n",
        "```bash\n",
        "```\n",
        "    Authorization: Token token=ü𝄞\n",
        "curl -H \"Authorization: Bearer $T\" \\\n",
        "curl -u\n",
        "curl --header\n",
        "  https://{a}{b}{c}.example.com/{d}/x?k={API key}&q=\n",
        "| Header | Value |\n|---|---|\n| `X-Key` | `abc…` |\n",
        "| a | b\n| only one |\n",
        "- Base URL: `https://<your-domain>.atlassian.net` (or `https://HOST/api`)\n",
        "Use `GET /users?limit=1` — it returns `name`. Not used: `Authorization: Basic x`.\n",
        "`unclosed code\n",
        "1) item\n   continued `Accept: application/json`\n",
        "> quoted https://x.y/z(\n",
        "POST https://login.example.com/oauth2/token\ngrant_type=client_credentials\n",
        "Scope: `a:b` `c/d` and OAuth 2.0 with refresh token\n",
        "No authentication is required.\n",
        "${\n",
        "{{{{}}}}<<<>>>\n",
        "\t\t- tab bullet https://\n",
    ];

    #[test]
    fn awkward_docs_never_panic_and_give_the_same_answer_twice() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..400 {
            let mut doc = String::new();
            for _ in 0..12 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                doc.push_str(FRAGMENTS[(seed % FRAGMENTS.len() as u64) as usize]);
            }
            let a = super::analyze(&doc);
            let b = super::analyze(&doc);
            assert_eq!(format!("{:?}", a.findings), format!("{:?}", b.findings));
            for f in &a.findings {
                assert!(f.lines.iter().all(|l| *l >= 1 && *l <= doc.lines().count()), "{f:?} in\n{doc}");
            }
        }
    }
}
