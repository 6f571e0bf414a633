//! The server's logger, shared with the benchmark's framework ceiling so
//! that both pay the same for logging.

use std::cell::RefCell;
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
    if !config.log_json && std::io::stderr().is_terminal() {
        // Interactive: Dropshot's own terminal logger, with colours.
        let logging = dropshot::ConfigLogging::StderrTerminal { level: config.log_level.clone() };
        return logging.to_logger("hostadmin").map_err(|e| anyhow::anyhow!("logger: {e}"));
    }
    let level = match config.log_level {
        L::Trace => slog::Level::Trace,
        L::Debug => slog::Level::Debug,
        L::Info => slog::Level::Info,
        L::Warn => slog::Level::Warning,
        L::Error => slog::Level::Error,
        L::Critical => slog::Level::Critical,
    };
    let stderr = std::io::LineWriter::with_capacity(64 * 1024, std::io::stderr());
    let drain = if config.log_json {
        slog_async::Async::new(slog_bunyan::with_name("hostadmin", stderr).build().fuse()).build().fuse()
    } else {
        let human = slog_term::FullFormat::new(Escaping(RefCell::new(stderr))).build().fuse();
        slog_async::Async::new(human).build().fuse()
    };
    Ok(slog::Logger::root(slog::LevelFilter::new(drain, level).fuse(), slog::o!()))
}

/// The human format's output, with control characters escaped inside
/// messages, keys and values: a newline that a client got into a logged
/// value (a decoded path, say) is written as `\n`, so it cannot start a line
/// that looks like a record of the server's own. The newline that ends a
/// record is written as whitespace, and passes.
struct Escaping<W: Write>(RefCell<W>);

impl<W: Write> slog_term::Decorator for Escaping<W> {
    fn with_record<F>(&self, _: &slog::Record, _: &slog::OwnedKVList, f: F) -> io::Result<()>
    where
        F: FnOnce(&mut dyn slog_term::RecordDecorator) -> io::Result<()>,
    {
        let mut out = self.0.borrow_mut();
        f(&mut EscapingRecord { out: &mut *out, escape: false })
    }
}

struct EscapingRecord<'a, W: Write> {
    out: &'a mut W,
    /// Writing text that came from a record (message, key, value).
    escape: bool,
}

impl<W: Write> Write for EscapingRecord<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.escape {
            return self.out.write_all(buf).map(|()| buf.len());
        }
        // Control characters are single bytes in UTF-8, never inside a
        // longer sequence: escaping bytes keeps the rest intact.
        let mut plain = 0;
        for (i, &b) in buf.iter().enumerate() {
            if b < 0x20 || b == 0x7f {
                self.out.write_all(&buf[plain..i])?;
                match b {
                    b'\n' => self.out.write_all(b"\\n")?,
                    b'\r' => self.out.write_all(b"\\r")?,
                    b'\t' => self.out.write_all(b"\\t")?,
                    other => write!(self.out, "\\x{other:02x}")?,
                }
                plain = i + 1;
            }
        }
        self.out.write_all(&buf[plain..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl<W: Write> slog_term::RecordDecorator for EscapingRecord<'_, W> {
    fn reset(&mut self) -> io::Result<()> {
        self.escape = false;
        Ok(())
    }
    fn start_msg(&mut self) -> io::Result<()> {
        self.escape = true;
        Ok(())
    }
    fn start_key(&mut self) -> io::Result<()> {
        self.escape = true;
        Ok(())
    }
    fn start_value(&mut self) -> io::Result<()> {
        self.escape = true;
        Ok(())
    }
}
