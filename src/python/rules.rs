//! The running interpreter's rules: its `urlsplit` dialect (probed once, at module init)
//! and its Unicode tables, so non-ASCII hosts match the reference even where Rust's tables
//! are of another Unicode version.

use std::sync::OnceLock;

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString};

use crate::urlsplit::{BracketCheck, Dialect, StdUnicode, UnicodeRules, UrlRules};

static DIALECT: OnceLock<Dialect> = OnceLock::new();

/// Unicode answers from the running interpreter.
struct InterpreterUnicode;

impl UnicodeRules for InterpreterUnicode {
    fn lower(&self, text: &str) -> String {
        Python::attach(|py| {
            PyString::new(py, text)
                .call_method0(intern!(py, "lower"))?
                .extract::<String>()
        })
        .unwrap_or_else(|_| StdUnicode.lower(text))
    }

    fn nfkc(&self, text: &str) -> String {
        static NORMALIZE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        Python::attach(|py| {
            let normalize = NORMALIZE.import(py, "unicodedata", "normalize")?;
            normalize.call1(("NFKC", text))?.extract::<String>()
        })
        .unwrap_or_else(|_| StdUnicode.nfkc(text))
    }
}

/// The rules every call uses.
pub(super) fn rules() -> UrlRules<'static> {
    UrlRules {
        dialect: DIALECT.get().copied().unwrap_or(Dialect::CPYTHON_3_13_15),
        unicode: &InterpreterUnicode,
    }
}

/// Reads the dialect off the interpreter (once per process).
pub(super) fn init(py: Python<'_>) -> PyResult<()> {
    let dialect = probe_dialect(py)?;
    let _ = DIALECT.set(dialect);
    Ok(())
}

/// The `urlsplit` rules of the running interpreter, read off `urllib.parse` itself: each
/// generation answers these URLs differently (the version number is never consulted, as
/// distributions backport fixes).
fn probe_dialect(py: Python<'_>) -> PyResult<Dialect> {
    let urlsplit = py.import("urllib.parse")?.getattr("urlsplit")?;
    let scheme = |url: &str| -> PyResult<String> { urlsplit.call1((url,))?.getattr("scheme")?.extract() };
    let accepts = |url: &str| urlsplit.call1((url,)).is_ok();
    let bracket_check = if accepts("http://[zz]/") {
        BracketCheck::Unchecked
    } else if accepts("http://x[::1]/") && !accepts("http://[a@[::1]/") {
        BracketCheck::FirstBracketed
    } else {
        BracketCheck::HostInfo
    };
    Ok(Dialect {
        scheme_starts_with_letter: scheme("1a://h")?.is_empty(),
        bracket_check,
        ipvfuture_upper_v: bracket_check != BracketCheck::Unchecked && accepts("http://[V1.x]/"),
        strips_leading_c0: scheme("\x01a://h")? == "a",
    })
}

/// The `urlsplit` rules in force, as a dict (for tests and diagnostics).
#[pyfunction]
pub(super) fn _url_dialect(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = rules().dialect;
    let flags = PyDict::new(py);
    flags.set_item("scheme_starts_with_letter", d.scheme_starts_with_letter)?;
    let check = match d.bracket_check {
        BracketCheck::Unchecked => "unchecked",
        BracketCheck::FirstBracketed => "first_bracketed",
        BracketCheck::HostInfo => "host_info",
    };
    flags.set_item("bracket_check", check)?;
    flags.set_item("ipvfuture_upper_v", d.ipvfuture_upper_v)?;
    flags.set_item("strips_leading_c0", d.strips_leading_c0)?;
    Ok(flags)
}
