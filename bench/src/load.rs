//! An HTTP/1.1 keep-alive load generator: a fixed number of connections,
//! each sending its next request as soon as the previous answer is read,
//! for a fixed time, over `--threads` threads (each a runtime of its own
//! holding its share of the connections). The bench runs the framework
//! ceiling with one thread and with two, to show whether the generator
//! itself is what limits a run (see `xtask/src/bench.rs`).
//!
//! It stays small and our own because the bench needs per-request random
//! IDs and unique bodies (`{rand}`, `{seq}`), which oha and wrk do not
//! template without scripting. A request without placeholders is built
//! once, and answers are parsed without allocating, so that the client
//! takes as little of the shared cores as it can.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::measure::{figures, fill, Rng, RunArgs, Samples, Window};

#[derive(clap::Args, Clone)]
pub struct Args {
    /// The server; repeated, connections are spread over the addresses in
    /// turn (replicas behind a balancer that spreads connections).
    #[arg(long, required = true)]
    addr: Vec<SocketAddr>,
    #[arg(long, default_value = "GET")]
    method: String,
    /// The path and query; `{seq}` and `{rand}` are filled per request.
    #[arg(long)]
    path: String,
    /// The request body (same placeholders).
    #[arg(long)]
    body: Option<String>,
    #[arg(long, default_value = "application/json")]
    content_type: String,
    /// Extra `Name: value` headers.
    #[arg(long)]
    header: Vec<String>,
    /// The status every answer must have; others count as failures.
    #[arg(long, default_value_t = 200)]
    expect: u16,
    #[arg(long, default_value_t = 8)]
    connections: usize,
    /// Threads sending the load, the connections dealt out among them in
    /// turn (never more threads than connections).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    #[command(flatten)]
    run: RunArgs,
    /// Write the body of the first answer here (the framework ceiling
    /// answers with it).
    #[arg(long)]
    save_body: Option<PathBuf>,
}

/// One answer, read whole.
struct Answer {
    status: u16,
    body: Vec<u8>,
}

struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl Connection {
    async fn open(addr: SocketAddr) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(addr).await.with_context(|| format!("connect {addr}"))?;
        stream.set_nodelay(true)?;
        Ok(Self { stream, buffer: Vec::with_capacity(64 * 1024) })
    }

    async fn exchange(&mut self, request: &[u8]) -> anyhow::Result<Answer> {
        self.stream.write_all(request).await?;
        let head_end = loop {
            if let Some(i) = find(&self.buffer, b"\r\n\r\n") {
                break i + 4;
            }
            self.fill().await?;
        };
        let (status, chunked, length) = parse_head(&self.buffer[..head_end])?;
        self.buffer.drain(..head_end);
        let body = if chunked {
            self.read_chunked().await?
        } else {
            let length = length.unwrap_or(0);
            while self.buffer.len() < length {
                self.fill().await?;
            }
            self.buffer.drain(..length).collect()
        };
        Ok(Answer { status, body })
    }

    async fn read_chunked(&mut self) -> anyhow::Result<Vec<u8>> {
        let mut body = Vec::new();
        loop {
            let line_end = loop {
                if let Some(i) = find(&self.buffer, b"\r\n") {
                    break i;
                }
                self.fill().await?;
            };
            let size_text = std::str::from_utf8(&self.buffer[..line_end])?.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size_text, 16).context("chunk size")?;
            self.buffer.drain(..line_end + 2);
            while self.buffer.len() < size + 2 {
                self.fill().await?;
            }
            body.extend(self.buffer.drain(..size));
            self.buffer.drain(..2);
            if size == 0 {
                return Ok(body);
            }
        }
    }

    async fn fill(&mut self) -> anyhow::Result<()> {
        if self.buffer.capacity() - self.buffer.len() < 4096 {
            self.buffer.reserve(16 * 1024);
        }
        if self.stream.read_buf(&mut self.buffer).await? == 0 {
            bail!("the server closed the connection");
        }
        Ok(())
    }
}

/// The status, whether the body is chunked, and its `Content-Length`.
fn parse_head(head: &[u8]) -> anyhow::Result<(u16, bool, Option<usize>)> {
    let mut lines = head.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(|&b| b == b' ')
        .nth(1)
        .and_then(|s| std::str::from_utf8(s).ok()?.parse().ok())
        .context("status line")?;
    let (mut chunked, mut length) = (false, None);
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else { continue };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if name.eq_ignore_ascii_case(b"content-length") {
            length = std::str::from_utf8(value).ok().and_then(|v| v.parse().ok());
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            chunked = value.eq_ignore_ascii_case(b"chunked");
        }
    }
    Ok((status, chunked, length))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn request(method: &str, path: &str, headers: &[String], content_type: &str, body: Option<&str>) -> Vec<u8> {
    let mut out = format!("{method} {path} HTTP/1.1\r\nHost: bench\r\n");
    for h in headers {
        out.push_str(h);
        out.push_str("\r\n");
    }
    if let Some(body) = body {
        out.push_str(&format!("Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}", body.len()));
    } else {
        out.push_str("\r\n");
    }
    out.into_bytes()
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let seq = Arc::new(AtomicU64::new(0));
    runtime.block_on(first_request(&args, &seq))?;
    drop(runtime);
    let window = args.run.window();
    let args = Arc::new(args);
    let threads = args.threads.clamp(1, args.connections.max(1));
    let mut handles = Vec::new();
    for thread in 0..threads {
        let (args, seq) = (args.clone(), seq.clone());
        let mine: Vec<usize> = (thread..args.connections).step_by(threads).collect();
        handles.push(std::thread::spawn(move || -> anyhow::Result<Vec<Samples>> {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime.block_on(drive(args, mine, seq, window))
        }));
    }
    let mut all = Vec::new();
    for handle in handles {
        all.extend(handle.join().map_err(|_| anyhow::anyhow!("a load thread panicked"))??);
    }
    println!("{}", serde_json::to_string(&figures(all, &window))?);
    Ok(())
}

/// One request first, outside the measurement: it must succeed, and its
/// body is what the framework ceiling will answer with.
async fn first_request(args: &Args, seq: &AtomicU64) -> anyhow::Result<()> {
    let mut first = Connection::open(args.addr[0]).await?;
    let mut rng = Rng::new(args.run.seed);
    let path = fill(&args.path, seq.fetch_add(1, Ordering::Relaxed), &mut rng, args.run.rand_max);
    let body = args.body.as_deref().map(|b| fill(b, seq.fetch_add(1, Ordering::Relaxed), &mut rng, args.run.rand_max));
    let answer =
        first.exchange(&request(&args.method, &path, &args.header, &args.content_type, body.as_deref())).await?;
    if answer.status != args.expect {
        bail!(
            "{} {path}: expected {}, got {} {}",
            args.method,
            args.expect,
            answer.status,
            String::from_utf8_lossy(&answer.body)
        );
    }
    if let Some(file) = &args.save_body {
        std::fs::write(file, &answer.body)?;
    }
    Ok(())
}

/// The connections numbered `mine`, on this thread, until the window ends.
async fn drive(args: Arc<Args>, mine: Vec<usize>, seq: Arc<AtomicU64>, window: Window) -> anyhow::Result<Vec<Samples>> {
    // Without placeholders every request is the same bytes: built once.
    let templated = args.path.contains('{') || args.body.as_deref().is_some_and(|b| b.contains('{'));
    let fixed: Arc<[u8]> =
        Arc::from(request(&args.method, &args.path, &args.header, &args.content_type, args.body.as_deref()));
    let mut workers = Vec::new();
    for worker in mine {
        let (args, seq, fixed) = (args.clone(), seq.clone(), fixed.clone());
        let addr = args.addr[worker % args.addr.len()];
        let mut conn = Connection::open(addr).await?;
        workers.push(tokio::spawn(async move {
            let mut rng = Rng::new(args.run.seed ^ (worker as u64 + 1).wrapping_mul(0x2545_F491_4F6C_DD1D));
            let mut samples = Samples::default();
            let mut reported = false;
            while Instant::now() < window.end {
                let built;
                let bytes: &[u8] = if templated {
                    let path = fill(&args.path, seq.fetch_add(1, Ordering::Relaxed), &mut rng, args.run.rand_max);
                    let body = args
                        .body
                        .as_deref()
                        .map(|b| fill(b, seq.fetch_add(1, Ordering::Relaxed), &mut rng, args.run.rand_max));
                    built = request(&args.method, &path, &args.header, &args.content_type, body.as_deref());
                    &built
                } else {
                    &fixed
                };
                let began = Instant::now();
                match conn.exchange(bytes).await {
                    Ok(answer) => {
                        let ok = answer.status == args.expect;
                        if !ok && !reported {
                            eprintln!(
                                "{} {}: {} {}",
                                args.method,
                                args.path,
                                answer.status,
                                String::from_utf8_lossy(&answer.body)
                            );
                            reported = true;
                        }
                        samples.record(&window, began, ok);
                    }
                    Err(e) => {
                        samples.record(&window, began, false);
                        eprintln!("connection {worker}: {e:#}; reconnecting");
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        match Connection::open(addr).await {
                            Ok(fresh) => conn = fresh,
                            Err(_) => break,
                        }
                    }
                }
            }
            samples
        }));
    }
    let mut all = Vec::new();
    for worker in workers {
        all.push(worker.await?);
    }
    Ok(all)
}
