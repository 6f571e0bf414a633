//! Unique constraints, and what a violation of each answers.
//!
//! Every insert or update that may break a unique constraint maps its error
//! through [`taken`]: one table says, per constraint, which field the client
//! gets the error on. The constraint is read from the error, which the two
//! backends report differently: SQLite only in its message (`UNIQUE
//! constraint failed: servers.hostname`), PostgreSQL by name
//! (`servers_hostname_key`, the name an inline `UNIQUE` gets).
//! A violation the table does not list stays a database error, which `db`
//! answers as a conflict quoting it.

use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind, Error};
use hostadmin_api::wire::Problem;

use crate::db::Failure;

/// What a client is told when a value is taken.
enum Answer {
    /// The system surface's 400: `Duplicate entry: <column> '<value>' is already in use`.
    Duplicate,
    /// A field error (422 on the managers surface, 400 on the groups surface).
    Field { field: &'static str, description: &'static str },
}

/// The unique constraints that a request can break: table, columns, answer.
const CONSTRAINTS: &[(&str, &[&str], Answer)] = &[
    ("servers", &["hostname"], Answer::Duplicate),
    ("servers", &["extname"], Answer::Duplicate),
    ("managers", &["email_address"], Answer::Field { field: "email_address", description: "has already been taken" }),
    ("domains", &["name"], Answer::Field { field: "name", description: "has already been taken" }),
    ("delivery_domains", &["name"], Answer::Field { field: "name", description: "has already been taken" }),
    (
        "delivery_accounts",
        &["delivery_domain_id", "username"],
        Answer::Field { field: "username", description: "has already been taken on that domain" },
    ),
    ("users", &["username"], Answer::Field { field: "userName", description: "is already taken" }),
    ("users", &["email"], Answer::Field { field: "email", description: "is already in use" }),
];

/// Whether the violation `info` reports is of `columns` of `table`.
fn names(info: &dyn DatabaseErrorInformation, table: &str, columns: &[&str]) -> bool {
    match info.constraint_name() {
        // PostgreSQL: `<table>_<column>[_<column>…]_key`.
        Some(name) => name == format!("{table}_{}_key", columns.join("_")),
        // SQLite: `UNIQUE constraint failed: <table>.<column>[, <table>.<column>…]`.
        None => {
            let failed = columns.iter().map(|c| format!("{table}.{c}")).collect::<Vec<_>>().join(", ");
            info.message().strip_prefix("UNIQUE constraint failed: ") == Some(failed.as_str())
        }
    }
}

/// `e`, with a unique violation of a listed constraint turned into the
/// answer for its field. `sent` holds the values written, by column, for
/// answers that quote them.
pub fn taken(e: Error, sent: &[(&str, &str)]) -> Failure {
    let Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) = &e else { return e.into() };
    let Some((_, columns, answer)) =
        CONSTRAINTS.iter().find(|(table, columns, _)| names(info.as_ref(), table, columns))
    else {
        return e.into();
    };
    match answer {
        Answer::Duplicate => {
            let column = columns[0];
            let value = sent.iter().find(|(c, _)| *c == column).map_or("", |(_, v)| v);
            Problem::Conflict(format!("Duplicate entry: {column} '{value}' is already in use")).into()
        }
        Answer::Field { field, description } => Problem::invalid(*field, *description).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A violation as a backend reports it: a message, and (PostgreSQL
    /// only) the constraint's name.
    struct Reported {
        message: &'static str,
        constraint: Option<&'static str>,
    }

    impl DatabaseErrorInformation for Reported {
        fn message(&self) -> &str {
            self.message
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            self.constraint
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn answer(message: &'static str, constraint: Option<&'static str>) -> Problem {
        let e = Error::DatabaseError(DatabaseErrorKind::UniqueViolation, Box::new(Reported { message, constraint }));
        match taken(e, &[("hostname", "mail01"), ("extname", "mail01.example")]) {
            Failure::Problem(p) => p,
            Failure::Db(e) => panic!("not mapped: {e}"),
        }
    }

    #[test]
    fn both_backends_name_the_same_field() {
        let pg = |name| answer("duplicate key value violates unique constraint", Some(name));
        let sqlite = |message| answer(message, None);
        for problem in [pg("servers_extname_key"), sqlite("UNIQUE constraint failed: servers.extname")] {
            assert_eq!(
                problem,
                Problem::Conflict("Duplicate entry: extname 'mail01.example' is already in use".into())
            );
        }
        for problem in [
            pg("delivery_accounts_delivery_domain_id_username_key"),
            sqlite("UNIQUE constraint failed: delivery_accounts.delivery_domain_id, delivery_accounts.username"),
        ] {
            assert_eq!(problem, Problem::invalid("username", "has already been taken on that domain"));
        }
    }

    #[test]
    fn an_unlisted_constraint_stays_a_database_error() {
        let e = Error::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            Box::new(Reported { message: "UNIQUE constraint failed: groups.guid", constraint: None }),
        );
        assert!(matches!(taken(e, &[]), Failure::Db(_)));
    }
}
