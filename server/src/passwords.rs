//! Password hashes: argon2id PHC strings (memory-hard), and the threads that
//! check them.
//!
//! One check needs the hash's whole memory cost (19 MiB with the default
//! parameters) for tens of milliseconds. Run on Tokio's blocking pool, a
//! burst of logins would take a thread and a fresh allocation each (the
//! allocator keeps per-thread arenas, so that memory stays resident) and
//! hold database connections meanwhile. Instead a fixed set of checker
//! threads, one per core, each reuses one buffer: concurrent logins queue,
//! and memory is bounded by `threads × m` whatever the load.

use std::sync::{Arc, Mutex};

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use hostadmin_api::wire::Problem;
use tokio::sync::{mpsc, oneshot};

/// A new argon2id hash of `password`, with a random salt and the default
/// (OWASP-recommended) parameters.
pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters hashes any input")
        .to_string()
}

/// The hash a missing account is checked against, so that an unknown name
/// costs as much time as a wrong password.
fn dummy() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash("dummy password for timing"))
}

/// Whether `password` matches `stored` (`None`: no such account, always
/// false, at the same cost), using `memory` as Argon2's working memory.
pub fn verify_with(memory: &mut Vec<Block>, stored: Option<&str>, password: &str) -> bool {
    let (phc, real) = match stored {
        Some(h) => (h, true),
        None => (dummy(), false),
    };
    let Ok(parsed) = PasswordHash::new(phc) else { return false };
    let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else { return false };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else { return false };
    let Ok(version) = Version::try_from(parsed.version.unwrap_or(0x13)) else { return false };
    let Ok(params) = Params::try_from(&parsed) else { return false };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else { return false };
    if memory.len() != params.block_count() {
        memory.resize(params.block_count(), Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    let argon2 = Argon2::new(algorithm, version, params);
    if argon2.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory[..]).is_err() {
        return false;
    }
    use subtle::ConstantTimeEq;
    bool::from(out.ct_eq(expected.as_bytes())) && real
}

/// [`verify_with`] with memory of its own (the CLI, the benchmark).
pub fn verify(stored: Option<&str>, password: &str) -> bool {
    verify_with(&mut Vec::new(), stored, password)
}

struct Job {
    stored: Option<String>,
    password: String,
    answer: oneshot::Sender<bool>,
}

/// The checker threads.
#[derive(Debug)]
pub struct Checkers {
    jobs: mpsc::Sender<Job>,
}

impl Checkers {
    /// One thread per core (at most four), each with its own memory.
    pub fn start() -> std::io::Result<Self> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
        let (jobs, queue) = mpsc::channel::<Job>(1024);
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads {
            let queue = queue.clone();
            std::thread::Builder::new().name(format!("password-check-{i}")).spawn(move || {
                let mut memory = Vec::new();
                loop {
                    let job = queue.lock().unwrap_or_else(|e| e.into_inner()).blocking_recv();
                    let Some(job) = job else { return };
                    let ok = verify_with(&mut memory, job.stored.as_deref(), &job.password);
                    let _ = job.answer.send(ok);
                    // Idle: give the memory back (an allocation this large is
                    // its own mapping, returned to the system when freed).
                    if queue.lock().unwrap_or_else(|e| e.into_inner()).is_empty() {
                        memory = Vec::new();
                    }
                }
            })?;
        }
        Ok(Self { jobs })
    }

    /// Whether `password` matches `stored`, checked on a checker thread.
    pub async fn check(&self, stored: Option<String>, password: String) -> Result<bool, Problem> {
        let (answer, answered) = oneshot::channel();
        self.jobs
            .send(Job { stored, password, answer })
            .await
            .map_err(|_| Problem::Internal("the password checkers stopped".into()))?;
        answered.await.map_err(|_| Problem::Internal("a password check failed".into()))
    }
}
