//! Online backup and offline restore of the SQLite database.
//!
//! A backup is `VACUUM INTO` on a connection of its own: a consistent copy of
//! one snapshot, taken while the service keeps reading and writing (WAL lets
//! the writer go on). A restore replaces the database file, so it refuses to
//! run while a `hostadmin serve` holds the database's lock, and it checks the
//! copy's integrity before it touches anything.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

/// The lock `hostadmin serve` holds on a database while it runs.
pub struct ServeLock(#[allow(dead_code)] File);

fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

impl ServeLock {
    pub fn acquire(database: &Path) -> anyhow::Result<Self> {
        let file = File::create(lock_path(database))?;
        if file.try_lock().is_err() {
            bail!("another hostadmin is serving {}", database.display());
        }
        Ok(ServeLock(file))
    }
}

#[derive(QueryableByName)]
struct IntegrityCheck {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

fn integrity_ok(path: &Path) -> anyhow::Result<()> {
    let url = path.to_str().context("the path is not UTF-8")?;
    let mut conn = SqliteConnection::establish(url)?;
    let rows: Vec<IntegrityCheck> = diesel::sql_query("PRAGMA integrity_check").load(&mut conn)?;
    match rows.as_slice() {
        [row] if row.integrity_check == "ok" => Ok(()),
        _ => bail!(
            "{} fails its integrity check: {}",
            path.display(),
            rows.iter().map(|r| r.integrity_check.as_str()).collect::<Vec<_>>().join("; ")
        ),
    }
}

/// Writes a consistent copy of `database` to `to` (which must not exist).
pub fn backup(database: &Path, to: &Path) -> anyhow::Result<()> {
    if to.exists() {
        bail!("{} exists already", to.display());
    }
    if !database.exists() {
        bail!("no database at {}", database.display());
    }
    let url = database.to_str().context("the path is not UTF-8")?;
    let mut conn = SqliteConnection::establish(url)?;
    conn.batch_execute("PRAGMA busy_timeout = 10000;")?;
    // The copy holds the same secrets: created private, empty, for VACUUM
    // INTO to fill (it accepts an empty file).
    crate::db::private_file(to, false)?;
    let target = to.to_str().context("the path is not UTF-8")?.replace('\'', "''");
    if let Err(e) = conn.batch_execute(&format!("VACUUM INTO '{target}'")) {
        let _ = std::fs::remove_file(to);
        return Err(e.into());
    }
    integrity_ok(to)
}

/// Replaces `database` with the copy at `from`, after checking it; refuses
/// while the database is being served.
pub fn restore(from: &Path, database: &Path) -> anyhow::Result<()> {
    let _lock = ServeLock::acquire(database).context("refusing to restore a database that is being served")?;
    integrity_ok(from)?;
    let staging = database.with_extension("restoring");
    std::fs::copy(from, &staging)?;
    // The copy takes the backup's mode: the database is its owner's only.
    std::fs::set_permissions(&staging, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    for suffix in ["-wal", "-shm"] {
        let mut side = database.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    std::fs::rename(&staging, database)?;
    Ok(())
}
