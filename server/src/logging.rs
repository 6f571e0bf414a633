//! The server's logger, shared with the benchmark's framework ceiling so
//! that both pay the same for logging.

use std::io::{self, Write};

use crate::config::Config;

/// The server's logger: Dropshot's terminal format, or Bunyan JSON lines.
///
/// Unless standard error is a terminal, records are written through a line
/// buffer, one `write` each: Dropshot's terminal logger writes every
/// fragment of a line on its own (sixty system calls per request, counted
/// with strace, a third of a small request's time). One write per record
/// also means records never interleave with the few plain lines `main`
/// prints on the same stream. JSON goes to the process's own standard error
/// rather than a reopened `/dev/stderr`, whose offset of its own would
/// overwrite a log that standard error is redirected to.
pub fn logger(config: &Config) -> anyhow::Result<slog::Logger> {
    use dropshot::ConfigLoggingLevel as L;
    use slog::Drain;
    use std::io::IsTerminal;
    let level = match config.log_level {
        L::Trace => slog::Level::Trace,
        L::Debug => slog::Level::Debug,
        L::Info => slog::Level::Info,
        L::Warn => slog::Level::Warning,
        L::Error => slog::Level::Error,
        L::Critical => slog::Level::Critical,
    };
    let drain = if config.log_json {
        let stderr = std::io::LineWriter::with_capacity(64 * 1024, std::io::stderr());
        slog_async::Async::new(slog_bunyan::with_name("hostadmin", stderr).build().fuse()).build().fuse()
    } else if std::io::stderr().is_terminal() {
        // Interactive: the format and colours of Dropshot's terminal logger.
        let human = slog_term::FullFormat::new(Escaping(slog_term::TermDecorator::new().stderr().build())).build();
        slog_async::Async::new(human.fuse()).build().fuse()
    } else {
        let stderr = std::io::LineWriter::with_capacity(64 * 1024, std::io::stderr());
        let human = slog_term::FullFormat::new(Escaping(slog_term::PlainDecorator::new(stderr))).build();
        slog_async::Async::new(human.fuse()).build().fuse()
    };
    Ok(slog::Logger::root(slog::LevelFilter::new(drain, level).fuse(), slog::o!()))
}

/// A human format's decorator, with control characters escaped inside
/// messages, keys and values: a newline that a client got into a logged
/// value (a decoded path, say) is written as `\n`, so it cannot start a line
/// that looks like a record of the server's own. The newline that ends a
/// record is written as whitespace, and passes. It wraps the plain and the
/// coloured terminal decorators alike.
pub struct Escaping<D>(pub D);

impl<D: slog_term::Decorator> slog_term::Decorator for Escaping<D> {
    fn with_record<F>(&self, record: &slog::Record, values: &slog::OwnedKVList, f: F) -> io::Result<()>
    where
        F: FnOnce(&mut dyn slog_term::RecordDecorator) -> io::Result<()>,
    {
        self.0.with_record(record, values, |inner| f(&mut EscapingRecord { inner, escape: false }))
    }
}

struct EscapingRecord<'a> {
    inner: &'a mut dyn slog_term::RecordDecorator,
    /// Writing text that came from a record (message, key, value).
    escape: bool,
}

impl Write for EscapingRecord<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.escape {
            return self.inner.write_all(buf).map(|()| buf.len());
        }
        // Control characters are single bytes in UTF-8, never inside a
        // longer sequence: escaping bytes keeps the rest intact.
        let mut plain = 0;
        for (i, &b) in buf.iter().enumerate() {
            if b < 0x20 || b == 0x7f {
                self.inner.write_all(&buf[plain..i])?;
                match b {
                    b'\n' => self.inner.write_all(b"\\n")?,
                    b'\r' => self.inner.write_all(b"\\r")?,
                    b'\t' => self.inner.write_all(b"\\t")?,
                    other => write!(self.inner, "\\x{other:02x}")?,
                }
                plain = i + 1;
            }
        }
        self.inner.write_all(&buf[plain..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Each part of a record keeps the inner decorator's style; only the parts
/// that carry a record's own text are escaped.
impl slog_term::RecordDecorator for EscapingRecord<'_> {
    fn reset(&mut self) -> io::Result<()> {
        self.escape = false;
        self.inner.reset()
    }
    fn start_whitespace(&mut self) -> io::Result<()> {
        self.escape = false;
        self.inner.start_whitespace()
    }
    fn start_msg(&mut self) -> io::Result<()> {
        self.escape = true;
        self.inner.start_msg()
    }
    fn start_timestamp(&mut self) -> io::Result<()> {
        self.escape = false;
        self.inner.start_timestamp()
    }
    fn start_level(&mut self) -> io::Result<()> {
        self.escape = false;
        self.inner.start_level()
    }
    fn start_comma(&mut self) -> io::Result<()> {
        self.escape = false;
        self.inner.start_comma()
    }
    fn start_key(&mut self) -> io::Result<()> {
        self.escape = true;
        self.inner.start_key()
    }
    fn start_value(&mut self) -> io::Result<()> {
        self.escape = true;
        self.inner.start_value()
    }
    fn start_location(&mut self) -> io::Result<()> {
        self.escape = false;
        self.inner.start_location()
    }
    fn start_separator(&mut self) -> io::Result<()> {
        self.escape = false;
        self.inner.start_separator()
    }
}
