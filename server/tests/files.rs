//! Files that hold secrets (the SQLite database, its WAL and shared-memory
//! files, backups) are readable by their owner only, and a database that
//! others may read is refused unless the operator says otherwise.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use diesel::connection::SimpleConnection;
use hostadmin_server::backup;
use hostadmin_server::db::{self, DbOptions, Location};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn side(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

#[test]
fn the_database_and_its_side_files_are_created_private() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.sqlite3");
    let pool = db::open(&Location::Sqlite(path.clone()), &DbOptions::default()).unwrap();
    let mut conn = pool.get().unwrap();
    conn.batch_execute("INSERT INTO settings (name, value) VALUES ('probe', 'x')").unwrap();
    assert_eq!(mode(&path), 0o600);
    for suffix in ["-wal", "-shm"] {
        let file = side(&path, suffix);
        assert!(file.exists(), "{} exists while the database is open", file.display());
        assert_eq!(mode(&file), 0o600, "{suffix}");
    }
    drop(conn);

    // A backup holds the same secrets; a restored database is private too.
    let copy = dir.path().join("copy.sqlite3");
    backup::backup(&path, &copy).unwrap();
    assert_eq!(mode(&copy), 0o600);
    drop(pool);
    let restored = dir.path().join("restored.sqlite3");
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o644)).unwrap();
    backup::restore(&copy, &restored).unwrap();
    assert_eq!(mode(&restored), 0o600);
}

#[test]
fn a_database_others_may_read_is_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.sqlite3");
    drop(db::open(&Location::Sqlite(path.clone()), &DbOptions::default()).unwrap());
    for readable in [0o644, 0o640, 0o604] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(readable)).unwrap();
        let refused = db::open(&Location::Sqlite(path.clone()), &DbOptions::default()).err().unwrap().to_string();
        assert!(refused.contains("chmod 600") && refused.contains(&format!("{readable:03o}")), "{refused}");
    }
    let allowed = DbOptions { allow_readable: true, ..DbOptions::default() };
    db::open(&Location::Sqlite(path.clone()), &allowed).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    db::open(&Location::Sqlite(path), &DbOptions::default()).unwrap();
}
