//! The form parser: `parse_qsl` against `form_urlencoded`, the `bodySHA256` lookup against
//! the last matching field, and the signing sort's order and stability.
//! Fields: the form text, then a name to look up.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signalwire_webhook::form::{last_query_value, parse_qsl, sort_for_signing};
use signalwire_webhook_fuzz::fields;

fuzz_target!(|data: &[u8]| {
    let (_, texts) = fields(data);
    let text = texts.first().map_or("", String::as_str);
    let name = texts.get(1).map_or("bodySHA256", String::as_str);

    let ours: Vec<(String, String)> = parse_qsl(text)
        .into_iter()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let model: Vec<(String, String)> = form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert_eq!(ours, model);

    let last = model
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str());
    assert_eq!(last_query_value(text, name).as_deref(), last);

    // Sorted by name (code point order); equal names keep their submission order.
    let mut indexed: Vec<(String, usize)> = ours
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.clone(), i))
        .collect();
    sort_for_signing(&mut indexed);
    for pair in indexed.windows(2) {
        assert!(pair[0].0 < pair[1].0 || (pair[0].0 == pair[1].0 && pair[0].1 < pair[1].1));
    }
});
