//! Pages, substring search and generated codes, shared by the lists and
//! resources of every surface.

use diesel::sqlite::SqliteConnection;
use diesel::QueryResult;
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
/// and the escape character `\` taken literally (use with `.escape('\\')`).
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

/// A fresh code: `prefix` and 8 random digits, not yet taken.
pub fn new_code(
    conn: &mut SqliteConnection,
    prefix: &str,
    taken: impl Fn(&mut SqliteConnection, &str) -> QueryResult<bool>,
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
