//! Wildcard matching with Python `fnmatch` semantics (`*`, `?`, `[abc]`, `[a-z]`, `[!abc]`,
//! case-sensitive, `*` crossing `/` and `.`) and `pathlib`-style globbing of relative paths
//! (`*` within one segment, `**` for any number of directories), as dbt's selector methods use them.

/// Whether `s` contains a character dbt treats as a wildcard.
pub(crate) fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?', '[', ']'])
}

/// Python's `fnmatch.fnmatchcase(name, pattern)`.
pub(crate) fn fnmatch(name: &str, pattern: &str) -> bool {
    if !has_wildcard(pattern) {
        return name == pattern;
    }
    let n: Vec<char> = name.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    let (mut ni, mut pi) = (0usize, 0usize);
    // After a `*`: the pattern position following it and the name position it currently covers up to.
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() {
            let step = match p[pi] {
                '*' => {
                    star = Some((pi + 1, ni));
                    pi += 1;
                    continue;
                }
                '?' => Some(pi + 1),
                '[' => match bracket(&p, pi, n[ni]) {
                    Some((true, next)) => Some(next),
                    Some((false, _)) => None,
                    None => (n[ni] == '[').then_some(pi + 1),
                },
                c => (c == n[ni]).then_some(pi + 1),
            };
            if let Some(next) = step {
                pi = next;
                ni += 1;
                continue;
            }
        }
        match star {
            Some((after, covered)) => {
                pi = after;
                ni = covered + 1;
                star = Some((after, covered + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Matches `c` against the bracket expression opening at `p[start] == '['`.
/// `None` when the bracket is not closed (it is then a literal `[`); otherwise whether `c`
/// matched and the pattern index after the closing `]`.
fn bracket(p: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut j = start + 1;
    if p.get(j) == Some(&'!') {
        j += 1;
    }
    if p.get(j) == Some(&']') {
        j += 1;
    }
    while j < p.len() && p[j] != ']' {
        j += 1;
    }
    if j >= p.len() {
        return None;
    }
    let mut body = &p[start + 1..j];
    let negate = body.first() == Some(&'!');
    if negate {
        body = &body[1..];
    }
    let mut hit = false;
    let mut k = 0;
    while k < body.len() {
        if k + 2 < body.len() && body[k + 1] == '-' {
            hit |= body[k] <= c && c <= body[k + 2];
            k += 3;
        } else {
            hit |= body[k] == c;
            k += 1;
        }
    }
    Some((hit != negate, j + 1))
}

/// Splits a relative path or glob into its non-empty, non-`.` segments.
pub(crate) fn segments(path: &str) -> Vec<&str> {
    path.split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect()
}

/// Whether the glob `pattern` (already split into segments) matches the path `path`.
pub(crate) fn glob_match(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| glob_match(rest, &path[skip..])),
        Some((seg, rest)) => {
            !path.is_empty() && fnmatch(path[0], seg) && glob_match(rest, &path[1..])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnmatch_like_python() {
        assert!(fnmatch("stg_orders", "stg_*"));
        assert!(fnmatch("stg_orders", "*orders"));
        assert!(fnmatch("a.b.c", "a*c"));
        assert!(fnmatch("a/b", "a*"));
        assert!(fnmatch("", "*"));
        assert!(!fnmatch("", "?"));
        assert!(fnmatch("abc", "a?c"));
        assert!(!fnmatch("abc", "a?"));
        assert!(fnmatch("v2", "v[0-9]"));
        assert!(!fnmatch("vx", "v[0-9]"));
        assert!(fnmatch("vx", "v[!0-9]"));
        assert!(fnmatch("b", "[abc]"));
        assert!(!fnmatch("d", "[abc]"));
        assert!(fnmatch("]", "[]]"));
        assert!(fnmatch("a[b", "a[b"));
        assert!(fnmatch("^", "[^]"));
        assert!(!fnmatch("Stg", "stg"));
        assert!(fnmatch("aXbXc", "a*b*c"));
        assert!(!fnmatch("aXbX", "a*b*c"));
        assert!(fnmatch("mississippi", "*sip*"));
    }

    #[test]
    fn globbing() {
        let g = |p: &str, path: &str| glob_match(&segments(p), &segments(path));
        assert!(g("models/staging", "models/staging"));
        assert!(g("./models/staging/", "models/staging"));
        assert!(!g("models/staging", "models/staging/x.sql"));
        assert!(g("models/*/x.sql", "models/staging/x.sql"));
        assert!(!g("models/*.sql", "models/staging/x.sql"));
        assert!(g("models/**/*.sql", "models/staging/a/x.sql"));
        assert!(g("models/**/*.sql", "models/x.sql"));
        assert!(g("**", "models/x.sql"));
        assert!(!g("models/stag", "models/staging"));
    }
}
