//! The log under load: a request never waits on standard error, and a
//! record is dropped only when the writer has not been able to write for
//! as long as its queue lasts; then the count of those lost is logged.
//!
//! Each test stops reading the server's standard error (a pipe, as under a
//! log collector) while requests come, so that the log's writer is stuck
//! whatever the machine's speed, then reads it all.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ChildStderr;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::spawn_serve_unread;
use hostadmin_server::logging::QUEUE;

/// Sends `per_connection` requests for a path nobody serves on each of
/// `connections` keep-alive connections, one after the other on each, and
/// returns once every one is answered: each is one `accepted connection`
/// and each request one `request completed` record in the log.
fn requests(addr: SocketAddr, connections: usize, per_connection: usize) {
    let senders: Vec<_> = (0..connections)
        .map(|_| {
            std::thread::spawn(move || {
                let stream = TcpStream::connect(addr).unwrap();
                stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut writer = stream;
                for _ in 0..per_connection {
                    writer.write_all(b"GET /nothing-here HTTP/1.1\r\nHost: test\r\n\r\n").unwrap();
                    let mut length = 0;
                    let mut status = String::new();
                    reader.read_line(&mut status).unwrap();
                    assert!(status.starts_with("HTTP/1.1 404"), "{status:?}");
                    loop {
                        let mut header = String::new();
                        reader.read_line(&mut header).unwrap();
                        if header == "\r\n" {
                            break;
                        }
                        if let Some(value) = header.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = value.trim().parse().unwrap();
                        }
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).unwrap();
                }
            })
        })
        .collect();
    for sender in senders {
        sender.join().unwrap();
    }
}

/// What the log said once read again: records of each kind, and the
/// records it reported dropped.
#[derive(Default)]
struct LogSeen {
    connections: usize,
    requests: usize,
    dropped: usize,
    reports: usize,
    lines: Vec<String>,
}

impl LogSeen {
    fn accounted(&self) -> usize {
        self.connections + self.requests + self.dropped
    }
}

impl std::fmt::Debug for LogSeen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let last = &self.lines[self.lines.len().saturating_sub(5)..];
        write!(
            f,
            "{} connections, {} requests, {} dropped in {} reports; the last lines:\n{}",
            self.connections,
            self.requests,
            self.dropped,
            self.reports,
            last.join("\n")
        )
    }
}

/// Reads the log until it accounts for `expected` records (written or
/// reported dropped), for at most 30 seconds.
fn read_log(stderr: BufReader<ChildStderr>, expected: usize, json: bool) -> LogSeen {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut read = LogSeen::default();
    let deadline = Instant::now() + Duration::from_secs(30);
    while read.accounted() < expected {
        let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) else { break };
        let (message, count) = if json {
            let record: serde_json::Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("not a JSON record ({e}): {line}"));
            (record["msg"].as_str().unwrap().to_string(), record["count"].as_u64().map(|n| n as usize))
        } else {
            let count = line.split("count: ").nth(1).map(|n| n.split(',').next().unwrap().trim().parse().unwrap());
            (line.clone(), count)
        };
        if message.contains("accepted connection") {
            read.connections += 1;
        } else if message.contains("request completed") {
            read.requests += 1;
        } else if message.contains("log records dropped") {
            read.dropped += count.expect("the report says how many");
            read.reports += 1;
        }
        read.lines.push(line);
    }
    read
}

/// Up to the queue's size, records wait for a writer that cannot write: a
/// collector that stalls for a moment loses nothing (`slog_async`, with
/// its queue of 128, lost most of these), in either format.
#[test]
fn a_stalled_log_loses_nothing_that_fits_in_the_queue() {
    for format in ["human", "json"] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("h.sqlite3").to_str().unwrap().to_string();
        let (mut child, addr, stderr) = spawn_serve_unread(&db, &["--log-format", format]);
        let (connections, per_connection) = (16, 125);
        let expected = connections + connections * per_connection;
        assert!(expected < QUEUE, "the test stays within the queue");
        requests(addr, connections, per_connection);
        let read = read_log(stderr, expected, format == "json");
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(
            (read.connections, read.requests, read.dropped, read.reports),
            (connections, connections * per_connection, 0, 0),
            "{format}: every record written, none reported dropped: {read:?}"
        );
    }
}

/// Past the queue, a writer that cannot write drops records rather than
/// make requests wait: every request is answered while nobody reads the
/// log, and once it is read again it accounts for every record, written or
/// counted as dropped.
#[test]
fn a_stuck_log_drops_and_counts_records_but_never_holds_a_request() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite3").to_str().unwrap().to_string();
    let (mut child, addr, stderr) = spawn_serve_unread(&db, &[]);
    let (connections, per_connection) = (16, 700);
    let expected = connections + connections * per_connection;
    assert!(expected > QUEUE + 2_000, "more than the queue and a pipe's buffer hold");
    requests(addr, connections, per_connection);
    let read = read_log(stderr, expected, false);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(read.accounted(), expected, "every record written or counted: {read:?}");
    assert!(read.dropped > 0 && read.reports > 0, "some were dropped, and said so: {read:?}");
    assert!(read.connections + read.requests >= QUEUE, "what the queue held was written: {read:?}");
}
