//! The form parser: `parse_qsl` against `form_urlencoded`, the `bodySHA256` lookup against
//! the last matching field, the signing sort's order and stability, and Scheme B's
//! message (`FormMessage`) against the sorted fields joined, on the text, on the text
//! repeated (grouped by name), on that with more than 512 names in the middle (grouping
//! handing over to the sort) and, for one input in 32, on a short text among more
//! than 4 096 numbered fields (large forms, split into ranges of names before sorting).
//! Fields: the form text, then a name to look up.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use signalwire_webhook::form::{last_query_value, parse_qsl, sort_for_signing};
use signalwire_webhook::form_message::FormMessage;
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

    // At most about 4 KiB of repeats, so that long inputs stay quick.
    let times = 1 + data
        .first()
        .map_or(0, |&b| usize::from(b % 100))
        .min(4_096 / (text.len() + 1));
    let repeated = vec![text; times].join("&");
    static NAMES: OnceLock<String> = OnceLock::new();
    let names = NAMES.get_or_init(|| (0..520).map(|i| format!("&n{i}=")).collect());
    let handed_over = format!("{repeated}{names}&{text}");
    // A short text twice among numbered fields, past the size at which forms are split.
    static NUMBERED: OnceLock<[String; 2]> = OnceLock::new();
    let [early, late] =
        NUMBERED.get_or_init(|| [0, 1].map(|half| (0..2_100).map(|i| format!("&m{half}{i}=")).collect()));
    let split = if text.len() <= 256 && data.get(1).is_some_and(|&b| b % 32 == 0) {
        format!("{text}{early}&{text}{late}&{repeated}")
    } else {
        String::new()
    };
    for body in [text, repeated.as_str(), handed_over.as_str(), split.as_str()] {
        let mut params = parse_qsl(body);
        sort_for_signing(&mut params);
        let joined: Vec<u8> = params
            .iter()
            .flat_map(|(k, v)| k.bytes().chain(v.bytes()))
            .collect();
        let message = FormMessage::new(body).expect("fuzz inputs are short");
        let mut written = Vec::new();
        message.write_to(&mut written);
        assert_eq!(written, joined);
        let (mut fed, mut stage) = (Vec::new(), Vec::new());
        message.feed(&mut stage, &mut |chunk| fed.extend_from_slice(chunk));
        assert_eq!(fed, joined);
        assert_eq!(message.len(), joined.len());
        assert_eq!(message.is_empty(), params.is_empty());
    }
});
