//! The server's logger, shared with the benchmark's framework ceiling so
//! that both pay the same for logging.
//!
//! Records are formatted and written on a thread of their own, so that a
//! request never waits on standard error. Unlike `slog_async`, which this
//! replaced, that thread writes what is queued in a few large `write`s
//! rather than one per record, and its queue holds [`QUEUE`] records, not
//! 128: under a load of tens of thousands of requests a second,
//! `slog_async`'s writer fell behind and dropped up to two records in five
//! (counted in its own "dropped messages" lines), and the faster a server
//! answered, the more of its log it lost. Only a writer that cannot write at
//! all (standard error a pipe nobody reads) still makes records drop, and
//! then the count of those lost is written once it can write again: a full
//! queue never makes a request wait, nor a stuck log hang the service.

use std::cell::RefCell;
use std::io::{self, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use slog::Drain;
use slog_async::AsyncRecord;

use crate::config::Config;

/// How long the writer lets records gather after writing some. A record
/// that finds the writer waiting is written at once.
const GATHER: Duration = Duration::from_millis(1);

/// How many records wait for the writer at most; past it, records are
/// dropped and counted.
pub const QUEUE: usize = 8192;

/// The largest `write` the writer makes of whole records: up to this size a
/// write to a pipe is atomic, so the plain lines `main` prints on the same
/// stream never land inside a record (a single longer record is written
/// alone).
const WRITE_MOST: usize = 4096;

/// The server's logger: Dropshot's terminal format, or Bunyan JSON lines.
///
/// Records are escaped as they are formatted (see [`Escaping`]): Dropshot's
/// terminal logger writes every fragment of a line on its own, sixty system
/// calls per request by strace, so records are formatted into memory and
/// written whole, many to a `write`. JSON goes to the process's own standard
/// error rather than a reopened `/dev/stderr`, whose offset of its own would
/// overwrite a log that standard error is redirected to.
pub fn logger(config: &Config) -> anyhow::Result<slog::Logger> {
    use dropshot::ConfigLoggingLevel as L;
    use std::io::IsTerminal;
    let level = match config.log_level {
        L::Trace => slog::Level::Trace,
        L::Debug => slog::Level::Debug,
        L::Info => slog::Level::Info,
        L::Warn => slog::Level::Warning,
        L::Error => slog::Level::Error,
        L::Critical => slog::Level::Critical,
    };
    let format = if config.log_json {
        Format::Json
    } else if io::stderr().is_terminal() {
        Format::Terminal
    } else {
        Format::Plain
    };
    let drain = Background::spawn(format, io::stderr())?;
    Ok(slog::Logger::root(slog::LevelFilter::new(drain, level).fuse(), slog::o!()))
}

/// How records are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    /// Bunyan JSON lines.
    Json,
    /// Dropshot's terminal format, with its colours (interactive use).
    Terminal,
    /// Dropshot's terminal format without colours (a file, a pipe).
    Plain,
}

/// The drain every logger clone shares: it queues each record for the
/// writer thread, and on drop waits for that thread to write what is
/// queued.
struct Background {
    queue: Option<SyncSender<AsyncRecord>>,
    dropped: Arc<AtomicU64>,
    /// In a mutex only to be unwind-safe, as a drain must be.
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl Background {
    /// Starts the writer thread, writing records in `format` to `out`.
    fn spawn(format: Format, out: impl Write + Send + 'static) -> io::Result<Background> {
        let (queue, records) = mpsc::sync_channel(QUEUE);
        let dropped = Arc::new(AtomicU64::new(0));
        let counted = dropped.clone();
        let writer = std::thread::Builder::new()
            .name("log-writer".into())
            .spawn(move || write_records(&records, &counted, format, out))?;
        Ok(Background { queue: Some(queue), dropped, writer: Mutex::new(Some(writer)) })
    }
}

impl Drain for Background {
    type Ok = ();
    type Err = slog::Never;

    fn log(&self, record: &slog::Record, values: &slog::OwnedKVList) -> Result<(), slog::Never> {
        let Some(queue) = &self.queue else { return Ok(()) };
        match queue.try_send(AsyncRecord::from(record, values)) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
        Ok(())
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        // The writer ends once the queue is empty and closed.
        drop(self.queue.take());
        if let Some(writer) = self.writer.get_mut().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = writer.join();
        }
    }
}

/// Where the writer thread formats records: memory it writes from.
#[derive(Clone, Default)]
struct Formatted(Rc<RefCell<Vec<u8>>>);

impl Write for Formatted {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The writer thread: takes what is queued, formats it, and writes it in
/// writes of whole records of up to [`WRITE_MOST`] bytes; then says how
/// many records were dropped since the last time, if any. Ends when every
/// sender is gone and the queue is empty.
fn write_records(records: &Receiver<AsyncRecord>, dropped: &AtomicU64, format: Format, out: impl Write) {
    let formatted = Formatted::default();
    let drain: Box<dyn Drain<Ok = (), Err = slog::Never>> = match format {
        Format::Json => Box::new(slog_bunyan::with_name("hostadmin", formatted.clone()).build().ignore_res()),
        Format::Terminal => {
            let decorator = Escaping(slog_term::TermDecorator::new().stderr().build());
            Box::new(slog_term::FullFormat::new(decorator).build().ignore_res())
        }
        Format::Plain => {
            let decorator = Escaping(slog_term::PlainDecorator::new(formatted.clone()));
            Box::new(slog_term::FullFormat::new(decorator).build().ignore_res())
        }
    };
    let mut batch = Batch { pending: Vec::with_capacity(WRITE_MOST), out };
    while let Ok(first) = records.recv() {
        let mut next = Some(first);
        while let Some(record) = next {
            // A drain that panics on one record loses that record only,
            // and whatever part of it was formatted.
            if catch_unwind(AssertUnwindSafe(|| record.log_to(&drain))).is_err() {
                formatted.0.borrow_mut().clear();
            }
            batch.add(&mut formatted.0.borrow_mut());
            next = records.try_recv().ok();
        }
        let lost = dropped.swap(0, Ordering::Relaxed);
        if lost > 0 {
            let fell_behind = slog::record_static!(slog::Level::Error, "");
            let message = format_args!("log records dropped: the log writer fell behind");
            let _ = drain.log(
                &slog::Record::new(&fell_behind, &message, slog::BorrowedKV(&())),
                &slog::OwnedKVList::from(slog::o!("count" => lost)),
            );
            batch.add(&mut formatted.0.borrow_mut());
        }
        batch.write();
        // Lets the next records gather: a writer woken for each record
        // costs the request that wakes it a system call and both a context
        // switch, more than formatting the record.
        std::thread::sleep(GATHER);
    }
}

/// Formatted records not yet written.
struct Batch<W> {
    pending: Vec<u8>,
    out: W,
}

impl<W: Write> Batch<W> {
    /// Takes the record formatted in `record`, writing what is pending
    /// first if both together would pass [`WRITE_MOST`].
    fn add(&mut self, record: &mut Vec<u8>) {
        if !self.pending.is_empty() && self.pending.len() + record.len() > WRITE_MOST {
            self.write();
        }
        self.pending.append(record);
    }

    /// Writes what is pending. A failed write (standard error closed) loses
    /// those records, not the thread: the queue must keep emptying.
    fn write(&mut self) {
        if !self.pending.is_empty() {
            let _ = self.out.write_all(&self.pending).and_then(|()| self.out.flush());
            self.pending.clear();
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Keeps each `write` it is given apart.
    #[derive(Clone, Default)]
    struct Writes(Arc<Mutex<Vec<Vec<u8>>>>);

    impl Write for Writes {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().push(buf.to_vec());
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Records are written whole, in order, several to a write but never
    /// more than [`WRITE_MOST`] bytes in one unless a record is longer by
    /// itself (so that a pipe never splits one); everything queued is
    /// written by the time the last logger is dropped.
    #[test]
    fn writes_are_whole_records_of_at_most_a_pipe_buffer() {
        let writes = Writes::default();
        let log = slog::Logger::root(Background::spawn(Format::Plain, writes.clone()).unwrap().fuse(), slog::o!());
        let long = "x".repeat(WRITE_MOST * 2);
        for i in 0..2_000 {
            slog::info!(log, "record {i}"; "padding" => if i == 1_000 { long.as_str() } else { "" });
        }
        drop(log);
        let writes = writes.0.lock().unwrap();
        let text: String = writes.iter().map(|w| String::from_utf8_lossy(w)).collect();
        let numbers: Vec<usize> = text
            .lines()
            .map(|line| line.split("record ").nth(1).unwrap().split(',').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(numbers, (0..2_000).collect::<Vec<_>>(), "every record, in order");
        assert!(writes.len() < 1_000, "records share writes: {} writes", writes.len());
        for write in writes.iter() {
            assert!(write.ends_with(b"\n"), "a write ends with a whole record");
            let records = write.iter().filter(|&&b| b == b'\n').count();
            assert!(write.len() <= WRITE_MOST || records == 1, "{} bytes in {records} records", write.len());
        }
        assert!(writes.iter().any(|w| w.len() > WRITE_MOST), "the long record was written, alone");
    }

    /// A write that fails (standard error closed, a full disk) loses what
    /// it held, not the writer: the records logged after it are written.
    #[test]
    fn a_failed_write_loses_only_its_own_records() {
        /// Fails its first `write`, then keeps what it is given.
        #[derive(Clone, Default)]
        struct FailsOnce(Arc<Mutex<(bool, Vec<u8>)>>);
        impl Write for FailsOnce {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                let mut state = self.0.lock().unwrap();
                if !state.0 {
                    state.0 = true;
                    return Err(io::Error::other("stderr closed"));
                }
                state.1.extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let out = FailsOnce::default();
        let log = slog::Logger::root(Background::spawn(Format::Plain, out.clone()).unwrap().fuse(), slog::o!());
        slog::info!(log, "lost with the failed write");
        // Once that write has failed, the next record is a batch of its own.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !out.0.lock().unwrap().0 && std::time::Instant::now() < deadline {
            std::thread::sleep(GATHER);
        }
        slog::info!(log, "written after it");
        drop(log);
        let state = out.0.lock().unwrap();
        let text = String::from_utf8_lossy(&state.1);
        assert!(state.0, "the first write failed");
        assert!(text.contains("written after it"), "{text}");
        assert!(!text.contains("lost with the failed write"), "{text}");
    }
}
