//! The PyO3 binding: `signalwire.core.security._native`.
//!
//! It converts arguments and maps errors; the validation itself is the core's, and nothing
//! in the core knows about this module. Arguments are converted in the order the reference
//! touches them, because that order decides which exception an ill-typed call raises
//! ([`args`]). Types the fast paths do not cover go through small helpers in the package's
//! `_compat.py`, so Python itself applies its own rules (sorting, formatting, unpacking,
//! `urlparse` of non-str URLs).
//!
//! * this file: the module, its `_compat` helper module, and the one place where errors
//!   become Python exceptions;
//! * [`args`]: argument conversion, in the reference's order;
//! * [`rules`]: the running interpreter's `urlsplit` dialect and Unicode tables;
//! * [`validators`]: the reference's three validators;
//! * [`signing`]: `_sign` and `_explain`;
//! * [`keyring`]: `_KeyRing`, the native half of `WebhookValidator`.

mod args;
mod keyring;
mod rules;
mod signing;
mod validators;

use pyo3::exceptions::{PyImportError, PyUnicodeEncodeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PySlice, PyString};

use crate::Error;
use crate::error::UrlError;

pub(crate) const MISSING_KEY: &str = "signing_key is required";
pub(crate) const RAW_BODY_NOT_STR: &str = "raw_body must be a str — did you pass parsed JSON by mistake?";
const PARAMS_WRONG_TYPE: &str = "params_or_raw_body must be a str (raw body) or a dict/list of form params";

/// The attribute of `_native` holding its package's `_compat` module.
const COMPAT_ATTR: &str = "_compat";

/// The one place core errors become Python exceptions. Where CPython's message quotes
/// text with `repr`, so does ours, with the running interpreter's own `repr`.
fn to_py_err(error: Error) -> PyErr {
    let quoted = |text: &str, message: fn(String) -> String| {
        Python::attach(|py| {
            let repr = PyString::new(py, text).repr().and_then(|r| r.extract::<String>());
            repr.map(message).ok()
        })
    };
    let message = match &error {
        Error::Url(UrlError::PortNotInteger(port)) => quoted(port, |repr| {
            format!("Port could not be cast to integer value as {repr}")
        }),
        Error::Url(UrlError::InvalidBracketedHost(Some(host))) => quoted(host, |repr| {
            format!("{repr} does not appear to be an IPv4 or IPv6 address")
        }),
        _ => None,
    };
    PyValueError::new_err(message.unwrap_or_else(|| error.to_string()))
}

impl From<Error> for PyErr {
    fn from(error: Error) -> Self {
        to_py_err(error)
    }
}

/// Re-raises the genuine `UnicodeEncodeError` of a str holding lone surrogates.
fn encode_error(text: &Bound<'_, PyString>) -> PyErr {
    match text.call_method1(intern!(text.py(), "encode"), ("utf-8",)) {
        Err(error) => error,
        Ok(_) => PyValueError::new_err("text is not encodable as UTF-8"),
    }
}

/// The genuine `UnicodeEncodeError` of `"".join(parts).encode("utf-8")`: the reference
/// encodes concatenations (`url + raw_body`, `url + concat`), so positions count from the
/// start of the whole, and `object` is the whole.
fn joined_encode_error<'py>(parts: impl IntoIterator<Item = Bound<'py, PyString>>) -> PyErr {
    let mut parts = parts.into_iter();
    let Some(first) = parts.next() else {
        return PyValueError::new_err("text is not encodable as UTF-8");
    };
    let joined = parts.try_fold(first, |joined, part| {
        joined.add(part)?.cast_into::<PyString>().map_err(PyErr::from)
    });
    match joined {
        Ok(joined) => encode_error(&joined),
        Err(error) => error,
    }
}

/// The `UnicodeEncodeError` of `key.encode("utf-8")` (same message, positions and reason)
/// with every character but the offending ones masked: its `object` would carry the key
/// into reprs, tracebacks and logs.
fn masked_encode_error(key: &Bound<'_, PyString>) -> PyErr {
    let py = key.py();
    let genuine = encode_error(key);
    let value = genuine.value(py);
    let masked = || -> PyResult<PyErr> {
        let start: usize = value.getattr(intern!(py, "start"))?.extract()?;
        let end: usize = value.getattr(intern!(py, "end"))?.extract()?;
        let reason: String = value.getattr(intern!(py, "reason"))?.extract()?;
        let after = key.len()?.saturating_sub(end);
        let text = PyString::new(py, &"*".repeat(start))
            .add(key.get_item(PySlice::new(py, start as isize, end as isize, 1))?)?
            .add("*".repeat(after))?;
        Ok(PyUnicodeEncodeError::new_err((
            "utf-8",
            text.unbind(),
            start,
            end,
            reason,
        )))
    };
    masked().unwrap_or_else(|_| PyValueError::new_err("signing key is not encodable as UTF-8"))
}

/// A helper of the `_compat` module next to this one (imported once, at module init).
fn compat<'py>(module: &Bound<'py, PyModule>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    module.getattr(intern!(module.py(), COMPAT_ATTR))?.getattr(name)
}

/// `<package>._compat`, where `<package>` is the package this module was loaded into: the
/// same files may be imported under more than one package name.
fn import_compat<'py>(module: &Bound<'py, PyModule>) -> PyResult<Bound<'py, PyModule>> {
    let name = module.name()?;
    let name = name.to_str()?;
    let Some((package, _)) = name.rsplit_once('.') else {
        return Err(PyImportError::new_err(format!(
            "{name} must be imported as a submodule of its package"
        )));
    };
    module.py().import(format!("{package}._compat"))
}

#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    rules::init(module.py())?;
    // `setattr`, not `add`: the helpers are no part of `__all__`.
    module.setattr(COMPAT_ATTR, import_compat(module)?)?;
    module.add_function(wrap_pyfunction!(validators::validate_webhook_signature, module)?)?;
    module.add_function(wrap_pyfunction!(
        validators::validate_webhook_signature_sha256,
        module
    )?)?;
    module.add_function(wrap_pyfunction!(validators::validate_request, module)?)?;
    module.add_function(wrap_pyfunction!(rules::_url_dialect, module)?)?;
    module.add_function(wrap_pyfunction!(signing::_sign, module)?)?;
    module.add_function(wrap_pyfunction!(signing::_explain, module)?)?;
    module.add_class::<keyring::PyKeyRing>()?;
    Ok(())
}
