//! "Did you mean": the nearest of a few known names to a mistyped one.

/// The candidate nearest to `word` by edit distance, when it is near enough
/// to be a typo (about one edit in three letters).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| (distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance, by characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb)).min(above + 1).min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_names_are_suggested_and_far_ones_not() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(closest("githib", ["gmail", "github", "stripe"]), Some("github"));
        assert_eq!(closest("beerer", ["basic", "bearer", "none"]), Some("bearer"));
        assert_eq!(closest("zzz", ["github", "bearer"]), None);
        assert_eq!(closest("github", ["github"]), None, "an exact name is no typo");
    }
}
