//! The equivalent mutants listed in `.cargo/mutants.toml` (skipped by `make mutants`) must
//! each name one mutant by its exact position, give a reason, and quote the code at that
//! position (and any other code the reason rests on). When the code changes or moves, this
//! test fails until someone re-checks the reason and updates the entry.

const CONFIG: &str = include_str!("../.cargo/mutants.toml");

#[derive(Debug, Default)]
struct Exclusion {
    pattern: String,
    why: String,
    source: String,
    needs: Vec<String>,
}

fn exclusions() -> Vec<Exclusion> {
    let start = CONFIG
        .find("exclude_re = [")
        .expect("exclude_re in .cargo/mutants.toml");
    let block = &CONFIG[start..];
    let block = &block[..block.find("\n]").expect("exclude_re's closing bracket")];
    let mut found = Vec::new();
    let mut entry = Exclusion::default();
    let mut in_why = false;
    for line in block.lines().skip(1).map(str::trim) {
        if let Some(text) = line.strip_prefix("# why:") {
            entry.why = text.trim().to_owned();
            in_why = true;
        } else if let Some(text) = line.strip_prefix("# source:") {
            entry.source = text.trim().to_owned();
            in_why = false;
        } else if let Some(text) = line.strip_prefix("# needs:") {
            entry.needs.push(text.trim().to_owned());
            in_why = false;
        } else if let Some(text) = line.strip_prefix('#') {
            assert!(in_why, "a comment outside `# why:`: {line}");
            entry.why.push(' ');
            entry.why.push_str(text.trim());
        } else if !line.is_empty() {
            entry.pattern = line.trim_end_matches(',').trim_matches('\'').to_owned();
            found.push(std::mem::take(&mut entry));
            in_why = false;
        }
    }
    found
}

/// `^src/x\.rs:12:5: replace … in f$` → ("src/x.rs", 12).
fn position(pattern: &str) -> (String, usize) {
    let inner = pattern
        .strip_prefix('^')
        .and_then(|p| p.strip_suffix('$'))
        .unwrap_or_else(|| panic!("{pattern}: anchor it with ^ and $"));
    let mut parts = inner.splitn(4, ':');
    let file = parts.next().unwrap().replace(r"\.", ".");
    let line = parts.next().and_then(|l| l.parse().ok());
    let column = parts.next().and_then(|c| c.parse::<usize>().ok());
    let rest = parts.next().unwrap_or_default();
    assert!(
        line.is_some() && column.is_some() && (rest.starts_with(" replace ") || rest.starts_with(" delete ")),
        "{pattern}: name the mutant as cargo mutants --list does, with its line and column"
    );
    (file, line.unwrap())
}

#[test]
fn every_equivalent_mutant_is_justified_by_the_code_at_its_position() {
    let list = exclusions();
    assert!(!list.is_empty());
    for e in &list {
        assert!(e.why.len() > 40, "{}: the reason is missing", e.pattern);
        assert!(!e.source.is_empty(), "{}: no # source:", e.pattern);
        // A literal TOML string ends at a quote: spell one in a pattern as \x27.
        assert!(
            !e.pattern.contains('\''),
            "{}: a quote inside the pattern",
            e.pattern
        );
        let (file, line) = position(&e.pattern);
        let path = format!("{}/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
        let at = text.lines().nth(line - 1).unwrap_or_default().trim();
        assert_eq!(
            at, e.source,
            "{}: {file}:{line} changed; re-check whether the mutant is still equivalent",
            e.pattern
        );
        for needed in &e.needs {
            assert!(
                text.lines().any(|l| l.trim() == needed),
                "{}: `{needed}` is no longer in {file}; re-check the reason",
                e.pattern
            );
        }
    }
}
