//! `hostadmin`: serve the API, and manage administrator accounts.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use diesel::prelude::*;
use hostadmin_server::accounts::{self, Role};
use hostadmin_server::db::{self, DbOptions, Location};
use hostadmin_server::settings::{Effective, ServeArgs};
use hostadmin_server::tokens::{self, Owner};

/// mimalloc rather than glibc's allocator: a request allocates and frees
/// many small buffers on two or more threads, where glibc's arenas spent a
/// sixteenth of an authenticated `GET` (`malloc`, `free`, consolidation).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "hostadmin", version, about = "Administers a mail and hosting platform over HTTP")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct DatabaseArg {
    /// The database: an SQLite file (a path or sqlite://PATH, created if
    /// missing) or a PostgreSQL URL (postgres://USER@HOST/DB).
    #[arg(long, env = "HOSTADMIN_DATABASE", default_value = "./hostadmin.sqlite3")]
    database: Location,
    /// Open an SQLite database that its group or others may read.
    #[arg(long, env = "HOSTADMIN_ALLOW_READABLE_DATABASE", num_args = 0..=1, default_missing_value = "true")]
    allow_readable_database: Option<bool>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service.
    Serve(ServeArgs),
    /// Check a configuration: print the settings in force (flags, then
    /// environment, then `--config` file, then defaults), secrets masked.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Read the audit log (who changed what), newest first.
    Audit {
        /// Only entries at or after this time (RFC 3339).
        #[arg(long)]
        since: Option<String>,
        /// Only entries of this principal (`account:NAME`, `manager:CODE`).
        #[arg(long)]
        principal: Option<String>,
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
        /// At most this many entries.
        #[arg(long, default_value_t = 100)]
        limit: i64,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Manage administrator accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Write a consistent copy of the database while it is in use.
    Backup {
        /// The file to write (must not exist).
        #[arg(long)]
        to: PathBuf,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Replace the database with a backup, after checking the backup's
    /// integrity. Refuses while `hostadmin serve` runs on the database.
    Restore {
        /// The backup to restore.
        #[arg(long)]
        from: PathBuf,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Manage API tokens (`X-Api-Token`) of the managers surface.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Validate the configuration and print it.
    Check(ServeArgs),
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token and print it (the only time it is shown): a platform
    /// token of an administrator account, or a manager's own token.
    Create {
        /// The administrator account the token acts as.
        #[arg(long, conflicts_with = "manager", required_unless_present = "manager")]
        user: Option<String>,
        /// The manager (MN and 8 digits) the token is scoped to.
        #[arg(long)]
        manager: Option<String>,
        /// A label to recognise the token by in `token list`.
        #[arg(long, default_value = "")]
        name: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// List tokens (never their secrets).
    List {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Revoke a token by its id (as `token list` shows it).
    Revoke {
        id: i64,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; reads its password (one line) from standard input.
    Add {
        name: String,
        #[arg(long, value_enum)]
        role: Role,
        /// Read the password from standard input (required: passwords are
        /// never taken on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// List accounts and their roles.
    List {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Set an account's password, read (one line) from standard input; ends
    /// the account's sessions.
    Passwd {
        name: String,
        #[arg(long, required = true)]
        password_stdin: bool,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Change an account's role; ends the account's sessions.
    Role {
        name: String,
        #[arg(long, value_enum)]
        role: Role,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Delete an account, with its sessions and API tokens.
    Delete {
        name: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Clear the failed-login counts of a user name, from every address.
    Unlock {
        name: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// End every session of an account (API tokens are revoked with
    /// `hostadmin token revoke`).
    RevokeSessions {
        name: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    anyhow::ensure!(!password.is_empty(), "no password on standard input");
    Ok(password)
}

/// The SQLite file that backup and restore work on; PostgreSQL has its own
/// tools, which know its replication and permissions better than we could.
fn sqlite_file<'a>(location: &'a Location, instead: &str) -> anyhow::Result<&'a std::path::Path> {
    match location {
        Location::Sqlite(path) => Ok(path),
        Location::Postgres(_) => anyhow::bail!("this command works on SQLite files; for PostgreSQL use {instead}"),
    }
}

fn open(db: &DatabaseArg) -> anyhow::Result<db::Pool> {
    let allow_readable = db.allow_readable_database.unwrap_or(false);
    db::open(&db.database, &DbOptions { max_connections: 1, allow_readable, ..Default::default() })
}

/// Prints one line on standard error with a single `write`, so that it never
/// interleaves with the log records the server writes on the same stream
/// (`eprintln!` may split a line into several writes).
fn announce(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = std::io::stderr().write_all(format!("{line}\n").as_bytes());
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Config { command: ConfigCommand::Check(args) } => {
            print!("{}", args.resolve()?.describe());
            Ok(())
        }
        Command::Serve(args) => {
            let Effective { config, shutdown_grace } = args.resolve()?;
            let shutdown_grace = shutdown_grace.as_secs();
            db::report_map_faults()?;
            // One server per SQLite file; PostgreSQL takes any number of replicas.
            let _lock = match &config.database {
                Location::Sqlite(path) => Some(hostadmin_server::backup::ServeLock::acquire(path)?),
                Location::Postgres(_) => None,
            };
            let server = hostadmin_server::start(&config)?;
            let scheme = if server.using_tls() { "https" } else { "http" };
            announce(format_args!("hostadmin listening on {scheme}://{}", server.local_addr()));
            let stopped = server.wait_for_shutdown();
            tokio::select! {
                result = stopped => result.map_err(|e| anyhow::anyhow!(e)),
                signal = termination() => {
                    announce(format_args!("hostadmin: {signal}: no new connections; finishing requests in flight"));
                    // Closing stops accepting and waits for the handlers in
                    // flight; dropping the service then closes the database.
                    match tokio::time::timeout(Duration::from_secs(shutdown_grace), server.close()).await {
                        Ok(result) => {
                            result.map_err(|e| anyhow::anyhow!(e))?;
                            announce(format_args!("hostadmin: stopped"));
                            Ok(())
                        }
                        Err(_) => anyhow::bail!("requests still in flight after the {shutdown_grace} s grace period"),
                    }
                }
            }
        }
        Command::Backup { to, db } => {
            let path = sqlite_file(&db.database, "pg_dump")?;
            hostadmin_server::backup::backup(path, &to)?;
            println!("backed up {} to {}", path.display(), to.display());
            Ok(())
        }
        Command::Restore { from, db } => {
            let path = sqlite_file(&db.database, "pg_restore")?;
            hostadmin_server::backup::restore(&from, path)?;
            println!("restored {} from {}", path.display(), from.display());
            Ok(())
        }
        Command::Token { command } => {
            match command {
                TokenCommand::Create { user, manager, name, db } => {
                    let pool = open(&db)?;
                    let mut conn = pool.get()?;
                    let owner = match (user, manager) {
                        (Some(user), _) => Owner::Account(
                            accounts::find_by_name(&mut conn, &user)?
                                .ok_or_else(|| anyhow::anyhow!("no account {user:?}"))?
                                .id,
                        ),
                        (_, Some(code)) => {
                            use hostadmin_server::schema::managers;
                            let id: Option<i64> = managers::table
                                .filter(managers::code.eq(&code))
                                .select(managers::id)
                                .get_result(&mut conn)
                                .optional()?;
                            Owner::Manager(id.ok_or_else(|| anyhow::anyhow!("no manager {code:?}"))?)
                        }
                        (None, None) => anyhow::bail!("--user or --manager is required"),
                    };
                    let token = audited(&mut conn, "token_create", |c| {
                        let token = tokens::create(c, owner, &name)?;
                        let id = tokens::id_of(&token).unwrap_or_default();
                        Ok(Some((token, format!("token:{id}"))))
                    })?
                    .unwrap_or_default();
                    println!("{token}");
                    Ok(())
                }
                TokenCommand::List { db } => {
                    let pool = open(&db)?;
                    let mut conn = pool.get()?;
                    for (id, label, owner, created) in tokens::list(&mut conn)? {
                        println!("{id}\t{owner}\t{label}\t{created}");
                    }
                    Ok(())
                }
                TokenCommand::Revoke { id, db } => {
                    let pool = open(&db)?;
                    let mut conn = pool.get()?;
                    audited(&mut conn, "token_revoke", |c| {
                        Ok(tokens::revoke(c, id)?.then(|| ((), format!("token:{id}"))))
                    })?
                    .ok_or_else(|| anyhow::anyhow!("no token {id}"))?;
                    println!("token {id} revoked");
                    Ok(())
                }
            }
        }
        Command::Audit { since, principal, json, limit, db } => {
            let since = match &since {
                Some(text) => Some(
                    hostadmin_server::audit::parse_since(text)
                        .ok_or_else(|| anyhow::anyhow!("--since {text:?} is not an RFC 3339 time"))?,
                ),
                None => None,
            };
            let pool = open(&db)?;
            let (entries, _) =
                hostadmin_server::audit::entries(&mut *pool.get()?, since, principal.as_deref(), limit.max(0), 0)?;
            for e in entries {
                if json {
                    println!("{}", serde_json::to_string(&e)?);
                } else {
                    let via = serde_json::to_value(e.via)?.as_str().unwrap_or_default().to_string();
                    println!(
                        "{}\t{}\t{via}\t{}\t{} {}\t{}\t{}",
                        e.at, e.principal, e.operation, e.method, e.target, e.client, e.request_id
                    );
                }
            }
            Ok(())
        }
        Command::User { command } => match command {
            UserCommand::Add { name, role, db, .. } => {
                let password = read_password()?;
                let pool = open(&db)?;
                let mut conn = pool.get()?;
                if accounts::find_by_name(&mut conn, &name)?.is_some() {
                    anyhow::bail!("account {name:?} already exists");
                }
                audited(&mut conn, "user_add", |c| {
                    accounts::create(c, &name, role, &password)?;
                    Ok(Some(((), format!("account:{name}"))))
                })?;
                println!("created {} account {name}", role.as_str());
                Ok(())
            }
            UserCommand::List { db } => {
                let pool = open(&db)?;
                let mut conn = pool.get()?;
                for account in accounts::list(&mut conn)? {
                    println!("{}\t{}", account.name, account.role);
                }
                Ok(())
            }
            UserCommand::Passwd { name, db, .. } => {
                let password = read_password()?;
                let pool = open(&db)?;
                let mut conn = pool.get()?;
                audited(&mut conn, "user_passwd", |c| {
                    Ok(accounts::set_password(c, &name, &password)?.then(|| ((), format!("account:{name}"))))
                })?
                .ok_or_else(|| anyhow::anyhow!("no account {name:?}"))?;
                println!("password of {name} changed; its sessions are ended");
                Ok(())
            }
            UserCommand::Role { name, role, db } => {
                let pool = open(&db)?;
                audited(&mut *pool.get()?, "user_role", |c| {
                    Ok(accounts::set_role(c, &name, role)?.then(|| ((), format!("account:{name}"))))
                })?
                .ok_or_else(|| anyhow::anyhow!("no account {name:?}"))?;
                println!("{name} is now {}; its sessions are ended", role.as_str());
                Ok(())
            }
            UserCommand::Delete { name, db } => {
                let pool = open(&db)?;
                audited(&mut *pool.get()?, "user_delete", |c| {
                    Ok(accounts::delete(c, &name)?.then(|| ((), format!("account:{name}"))))
                })?
                .ok_or_else(|| anyhow::anyhow!("no account {name:?}"))?;
                println!("deleted account {name}");
                Ok(())
            }
            UserCommand::Unlock { name, db } => {
                let pool = open(&db)?;
                let cleared = audited(&mut *pool.get()?, "user_unlock", |c| {
                    Ok(Some((hostadmin_server::throttle::unlock(c, &name)?, format!("account:{name}"))))
                })?
                .unwrap_or_default();
                println!("{name}: {cleared} failed-login count(s) cleared");
                Ok(())
            }
            UserCommand::RevokeSessions { name, db } => {
                let pool = open(&db)?;
                let mut conn = pool.get()?;
                let account =
                    accounts::find_by_name(&mut conn, &name)?.ok_or_else(|| anyhow::anyhow!("no account {name:?}"))?;
                audited(&mut conn, "user_revoke_sessions", |c| {
                    accounts::revoke_sessions(c, account.id)?;
                    Ok(Some(((), format!("account:{name}"))))
                })?;
                println!("sessions of {name} ended");
                Ok(())
            }
        },
    }
}

/// Runs an operator's change and, when it changed something (`Some` with
/// the object it changed), its audit entry, in one transaction: the entry
/// exists exactly when the change does.
fn audited<T>(
    conn: &mut db::Conn,
    operation: &str,
    change: impl FnOnce(&mut db::Conn) -> anyhow::Result<Option<(T, String)>>,
) -> anyhow::Result<Option<T>> {
    conn.transaction(|c| {
        let Some((done, target)) = change(c)? else { return Ok(None) };
        hostadmin_server::audit::insert(c, &hostadmin_server::audit::Entry::command(operation, target))?;
        Ok(Some(done))
    })
}

/// Resolves on the first SIGTERM or SIGINT, naming it.
async fn termination() -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("a SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("a SIGINT handler");
    tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
    }
}

fn main() -> ExitCode {
    // Allocations of 256 KiB and more get mappings of their own, returned to
    // the system when freed. glibc otherwise raises this threshold after the
    // first such free, and the 19 MiB that a password check borrows (see
    // `passwords`) then stays in a per-thread arena for good.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only tunes the allocator; no other thread runs yet.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
    }
    // SAFETY: nothing has used SQLite yet, and no other thread runs.
    unsafe {
        db::sqlite_uses_mimalloc();
    }
    // Database work runs on the blocking pool, where at most the pool's 8
    // connections can be busy: more threads would only wait for one, each
    // keeping a stack and an allocator arena resident. 16 leaves room for
    // the rest (file reads of backups and the docs).
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().max_blocking_threads(16).build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("hostadmin: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(Cli::parse())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hostadmin: {e:#}");
            ExitCode::FAILURE
        }
    }
}
