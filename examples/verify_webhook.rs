//! Verify a SignalWire webhook from the command line, with the Rust crate alone.
//!
//! ```sh
//! export SIGNALWIRE_SIGNING_KEY=PSK_...
//! cargo run --example verify_webhook -- https://example.ngrok.io/webhook "$SIGNATURE" < body.json
//! ```
//! Exit status: 0 valid, 1 invalid, 2 usage error (and for a URL that does not parse).
use std::io::Read;
use std::process::ExitCode;

use signalwire_webhook::{KeyRing, UrlRules};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, signature] = args.as_slice() else {
        eprintln!("usage: verify_webhook URL SIGNATURE < BODY  (key in $SIGNALWIRE_SIGNING_KEY)");
        return ExitCode::from(2);
    };
    // Several keys while rotating: SIGNALWIRE_SIGNING_KEY="new,old".
    let keys = std::env::var("SIGNALWIRE_SIGNING_KEY").unwrap_or_default();
    let Ok(ring) = KeyRing::new(&keys.split(',').collect::<Vec<_>>()) else {
        eprintln!("set SIGNALWIRE_SIGNING_KEY");
        return ExitCode::from(2);
    };
    let mut body = String::new();
    if std::io::stdin().read_to_string(&mut body).is_err() {
        eprintln!("the body must be UTF-8");
        return ExitCode::from(2);
    }
    match ring.validate(signature, url, &body, &UrlRules::default()) {
        Ok(true) => {
            println!("valid");
            ExitCode::SUCCESS
        }
        Ok(false) => {
            println!("invalid");
            ExitCode::from(1)
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(2)
        }
    }
}
