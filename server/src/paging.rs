//! Pages, substring search and generated codes, shared by the lists and
//! resources of every surface.

use diesel::dsl::AsExprOf;
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression};
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::sql_types::{Bool, Text};
use diesel::{IntoSql, QueryResult};

use crate::db::{Conn, MultiBackend};
use hostadmin_api::types::Pagination;

use crate::db::DbResult;
use hostadmin_api::wire::Problem;

/// What a list request asked for, echoed back in its `pagination`.
pub struct Listing<'a> {
    pub page: i64,
    pub per: i64,
    pub query: &'a Option<String>,
    pub status: &'a Option<String>,
    pub sort_field: &'a str,
    pub sort: &'a str,
}

impl Listing<'_> {
    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.per)
    }

    pub fn descending(&self) -> bool {
        self.sort == "desc"
    }

    /// `query` as a LIKE pattern.
    pub fn like(&self) -> Option<String> {
        self.query.as_deref().map(like_pattern)
    }

    pub fn pagination(&self, total: i64) -> Pagination {
        Pagination {
            per: self.per,
            page: self.page,
            total_pages: (total + self.per - 1) / self.per,
            total_records: total,
            query: self.query.clone().unwrap_or_default(),
            filter: String::new(),
            status: self.status.clone().unwrap_or_default(),
            sort_field: self.sort_field.to_string(),
            sort: self.sort.to_string(),
        }
    }
}

/// A LIKE pattern for a case-insensitive substring search, with `%`, `_`
/// and the escape character `\` taken literally (for [`matches`]).
pub fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// `column` matches `pattern` (from [`like_pattern`]) whatever the case:
/// `LIKE … ESCAPE '\'` on SQLite, whose LIKE ignores (ASCII) case, and
/// `ILIKE` on PostgreSQL, whose LIKE does not (and whose escape is `\`).
pub fn matches<C>(column: C, pattern: String) -> Matches<C> {
    Matches { column, pattern: pattern.into_sql::<Text>() }
}

/// See [`matches`].
#[derive(Debug, Clone, diesel::query_builder::QueryId, diesel::expression::ValidGrouping)]
pub struct Matches<C> {
    column: C,
    pattern: AsExprOf<String, Text>,
}

impl<C: Expression<SqlType = Text>> Expression for Matches<C> {
    type SqlType = Bool;
}

impl<C, QS> AppearsOnTable<QS> for Matches<C> where C: AppearsOnTable<QS> + Expression<SqlType = Text> {}

impl<C, QS> SelectableExpression<QS> for Matches<C> where C: SelectableExpression<QS> + Expression<SqlType = Text> {}

impl<C: QueryFragment<MultiBackend>> QueryFragment<MultiBackend> for Matches<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        let sqlite = matches!(out.backend(), MultiBackend::Sqlite(_));
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(if sqlite { " LIKE " } else { " ILIKE " });
        self.pattern.walk_ast(out.reborrow())?;
        if sqlite {
            out.push_sql(" ESCAPE '\\'");
        }
        Ok(())
    }
}

/// A fresh code: `prefix` and 8 random digits, not yet taken.
pub fn new_code(
    conn: &mut Conn,
    prefix: &str,
    taken: impl Fn(&mut Conn, &str) -> QueryResult<bool>,
) -> DbResult<String> {
    for _ in 0..32 {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).map_err(|_| Problem::Internal("no randomness".into()))?;
        let n = u64::from_le_bytes(bytes) % 100_000_000;
        let code = format!("{prefix}{n:08}");
        if !taken(conn, &code)? {
            return Ok(code);
        }
    }
    Err(Problem::Internal("no free code".into()).into())
}
