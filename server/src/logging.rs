//! The server's logger, shared with the benchmark's framework ceiling so
//! that both pay the same for logging.

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
        let human = slog_term::FullFormat::new(slog_term::PlainDecorator::new(stderr)).build().fuse();
        slog_async::Async::new(human).build().fuse()
    };
    Ok(slog::Logger::root(slog::LevelFilter::new(drain, level).fuse(), slog::o!()))
}
