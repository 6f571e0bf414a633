//! An HTTP/1.1 keep-alive load generator: a fixed number of connections,
//! each sending its next request as soon as the previous answer is read,
//! for a fixed time. One thread, so that it takes the same share of the
//! machine whatever server it drives.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use hostadmin_bench_figures::Figures;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::measure::{figures, fill, Rng, RunArgs, Samples};

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
        let head = std::str::from_utf8(&self.buffer[..head_end]).context("answer head is not UTF-8")?;
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let status: u16 = status_line.split(' ').nth(1).and_then(|s| s.parse().ok()).context("status line")?;
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let chunked = header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
        let length: Option<usize> = header("content-length").and_then(|v| v.parse().ok());
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
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk).await?;
        if n == 0 {
            bail!("the server closed the connection");
        }
        self.buffer.extend_from_slice(&chunk[..n]);
        Ok(())
    }
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
    let figures = runtime.block_on(drive(args))?;
    println!("{}", serde_json::to_string(&figures)?);
    Ok(())
}

async fn drive(args: Args) -> anyhow::Result<Figures> {
    let headers = args.header.clone();
    // One request first, outside the measurement: it must succeed, and its
    // body is what the framework ceiling will answer with.
    let mut first = Connection::open(args.addr[0]).await?;
    let mut rng = Rng::new(args.run.seed);
    let seq = Arc::new(AtomicU64::new(0));
    let path = fill(&args.path, seq.fetch_add(1, Ordering::Relaxed), &mut rng, args.run.rand_max);
    let body = args.body.as_deref().map(|b| fill(b, seq.fetch_add(1, Ordering::Relaxed), &mut rng, args.run.rand_max));
    let answer = first.exchange(&request(&args.method, &path, &headers, &args.content_type, body.as_deref())).await?;
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
    drop(first);

    let window = args.run.window();
    let args = Arc::new(args);
    let headers = Arc::new(headers);
    let mut workers = Vec::new();
    for worker in 0..args.connections {
        let (args, headers, seq) = (args.clone(), headers.clone(), seq.clone());
        let addr = args.addr[worker % args.addr.len()];
        let mut conn = Connection::open(addr).await?;
        workers.push(tokio::spawn(async move {
            let mut rng = Rng::new(args.run.seed ^ (worker as u64 + 1).wrapping_mul(0x2545_F491_4F6C_DD1D));
            let mut samples = Samples::default();
            let mut reported = false;
            while Instant::now() < window.end {
                let path = fill(&args.path, seq.fetch_add(1, Ordering::Relaxed), &mut rng, args.run.rand_max);
                let body = args
                    .body
                    .as_deref()
                    .map(|b| fill(b, seq.fetch_add(1, Ordering::Relaxed), &mut rng, args.run.rand_max));
                let bytes = request(&args.method, &path, &headers, &args.content_type, body.as_deref());
                let began = Instant::now();
                match conn.exchange(&bytes).await {
                    Ok(answer) => {
                        let ok = answer.status == args.expect;
                        if !ok && !reported {
                            eprintln!(
                                "{} {path}: {} {}",
                                args.method,
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
    Ok(figures(all, &window))
}
