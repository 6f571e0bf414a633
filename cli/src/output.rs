//! What the generated commands print, so that scripts can rely on it: the
//! answer's JSON on stdout (nothing for an empty success), and on failure
//! the HTTP status on one line and the answer's error body (the surface's
//! own JSON) on stderr, with a non-zero exit. Progenitor's generated `Cli`
//! calls these through the `CliConfig` trait it declares.

use std::cell::Cell;
use std::fmt::Debug;

use hostadmin_client::{Error, ResponseValue};
use serde::Serialize;

use crate::generated::CliConfig;

/// An error that has been printed already: `main` exits without repeating it.
#[derive(Debug)]
pub struct Reported;

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("reported")
    }
}

impl std::error::Error for Reported {}

/// The generated commands' output; remembers whether an error was printed.
#[derive(Default)]
pub struct Output {
    pub reported: Cell<bool>,
    /// The subcommand's name, to say which command failed.
    pub command: String,
}

fn print_json<T: Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("hostadmin-cli: cannot print the answer as JSON: {e}"),
    }
}

/// Prints a failed call on stderr: the status and the error body when the
/// service answered, else what went wrong on the way.
pub fn report_error<T: Serialize + Debug>(command: &str, error: &Error<T>) {
    match error {
        Error::ErrorResponse(answer) => {
            eprintln!("hostadmin-cli: {command}: {}", answer.status());
            match serde_json::to_string_pretty(answer.as_ref()) {
                Ok(body) => eprintln!("{body}"),
                Err(_) => eprintln!("{:?}", answer.as_ref()),
            }
        }
        Error::UnexpectedResponse(answer) => {
            eprintln!("hostadmin-cli: {command}: {} (an answer the spec does not list)", answer.status())
        }
        Error::InvalidResponsePayload(bytes, e) => {
            eprintln!("hostadmin-cli: {command}: the answer does not match the spec: {e}");
            eprintln!("{}", String::from_utf8_lossy(bytes));
        }
        other => {
            // The chain of causes: "error sending request" alone does not
            // say that the connection was refused.
            let mut text = other.to_string();
            let mut source = std::error::Error::source(other);
            while let Some(cause) = source {
                // Progenitor's message already quotes its direct cause.
                let cause_text = cause.to_string();
                if !text.contains(&cause_text) {
                    text.push_str(&format!(": {cause_text}"));
                }
                source = cause.source();
            }
            eprintln!("hostadmin-cli: {command}: {text}");
        }
    }
}

impl CliConfig for &Output {
    fn success_item<T>(&self, value: &ResponseValue<T>)
    where
        T: Serialize + Debug,
    {
        print_json(value.as_ref());
    }

    fn success_no_item(&self, _: &ResponseValue<()>) {}

    fn error<T>(&self, value: &Error<T>)
    where
        T: Serialize + Debug,
    {
        report_error(&self.command, value);
        self.reported.set(true);
    }

    // Lists of Dropshot's paginated kind (the spec has none, but the trait
    // asks for them): one JSON document per line, as items stream in.
    fn list_start<T>(&self)
    where
        T: Serialize + Debug,
    {
    }

    fn list_item<T>(&self, value: &T)
    where
        T: Serialize + Debug,
    {
        match serde_json::to_string(value) {
            Ok(line) => println!("{line}"),
            Err(e) => eprintln!("hostadmin-cli: cannot print the answer as JSON: {e}"),
        }
    }

    fn list_end_success<T>(&self)
    where
        T: Serialize + Debug,
    {
    }

    fn list_end_error<T>(&self, value: &Error<T>)
    where
        T: Serialize + Debug,
    {
        self.error(value);
    }
}
