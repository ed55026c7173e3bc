//! The equivalent mutants listed in `.cargo/mutants.toml` (skipped by `make mutants`) must
//! each give a reason and the code that reason rests on, and that code must still be in
//! the named file: when it changes, this test fails until someone re-checks the reason.

const CONFIG: &str = include_str!("../.cargo/mutants.toml");

struct Exclusion {
    pattern: String,
    why: String,
    file: String,
    code: String,
}

fn exclusions() -> Vec<Exclusion> {
    let start = CONFIG
        .find("exclude_re = [")
        .expect("exclude_re in .cargo/mutants.toml");
    let block = &CONFIG[start..];
    let block = &block[..block.find("\n]").expect("exclude_re's closing bracket")];
    let mut found = Vec::new();
    let (mut why, mut source) = (String::new(), None::<(String, String)>);
    for line in block.lines().skip(1).map(str::trim) {
        if let Some(text) = line.strip_prefix("# why:") {
            why = text.trim().to_owned();
        } else if let Some(text) = line.strip_prefix("# source:") {
            let (file, code) = text.trim().split_once(": ").expect("# source: FILE: CODE");
            source = Some((file.to_owned(), code.to_owned()));
        } else if let Some(text) = line.strip_prefix('#') {
            why.push(' ');
            why.push_str(text.trim());
        } else if !line.is_empty() {
            let pattern = line.trim_end_matches(',').trim_matches('\'').to_owned();
            let (file, code) = source
                .take()
                .unwrap_or_else(|| panic!("no # source: for {pattern}"));
            found.push(Exclusion {
                pattern,
                why: std::mem::take(&mut why),
                file,
                code,
            });
        }
    }
    found
}

#[test]
fn every_equivalent_mutant_is_justified_by_code_that_is_still_there() {
    let list = exclusions();
    assert!(!list.is_empty());
    for e in &list {
        assert!(e.why.len() > 40, "{}: the reason is missing", e.pattern);
        let path = format!("{}/{}", env!("CARGO_MANIFEST_DIR"), e.file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
        assert!(
            text.lines().any(|line| line.trim() == e.code),
            "{}: `{}` is no longer in {}; re-check whether the mutant is still equivalent",
            e.pattern,
            e.code,
            e.file
        );
        // The pattern names the same file, anchored on the whole mutant name.
        let escaped = e.file.replace('.', r"\.");
        assert!(
            e.pattern.starts_with(&format!(r"{escaped}:\d+:\d+: ")),
            "{}",
            e.pattern
        );
        assert!(e.pattern.ends_with('$'), "{}", e.pattern);
    }
}
