//! Lists, substring search and generated codes, shared by the lists and
//! resources of every surface.
//!
//! Every list is the same three steps: count the rows its filters select,
//! order them by the sort keys the list allows, and load one window of
//! them. [`page`] does those steps for all of them, so that a list states
//! only what differs: its filters, its [`Sorting`] table (the keys a client
//! may name, each with the columns it orders by), and where its total comes
//! from ([`Total`]: counted, or already known, as the servers list sums it
//! from stored per-block counts).

use std::marker::PhantomData;
use std::sync::Arc;

use diesel::dsl::{AsExprOf, CountStar, Select};
use diesel::expression::expression_types::NotSelectable;
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression};
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::query_dsl::methods::{LimitDsl, LoadQuery, OffsetDsl, SelectDsl, ThenOrderDsl};
use diesel::sql_types::{Bool, Text};
use diesel::{IntoSql, QueryResult, RunQueryDsl};

use crate::db::{Conn, MultiBackend};
use hostadmin_api::types::{Pagination, ResourceCreated};

use crate::db::DbResult;
use hostadmin_api::wire::Problem;

/// One window of a list, and how many rows there are over all windows.
#[derive(Debug)]
pub struct Page<R> {
    pub total: i64,
    pub rows: Vec<R>,
}

/// Where a list's total comes from.
#[derive(Clone, Copy, Debug)]
pub enum Total {
    /// `COUNT(*)` over the filtered rows.
    Counted,
    /// Known already: the caller read it more cheaply than a count.
    Known(i64),
}

/// A column a list orders by, kept as its SQL so that one table can hold
/// columns of different types.
type OrderColumn = Arc<dyn QueryFragment<MultiBackend> + Send + Sync>;

/// A key a client may sort a list by: its name and the columns it orders
/// by, all in the direction the client asks. `QS` is the list's row source
/// (a table or a join); the constructors check that each column is on it.
pub struct SortKey<QS> {
    name: &'static str,
    columns: Vec<OrderColumn>,
    source: PhantomData<fn() -> QS>,
}

impl<QS> SortKey<QS> {
    /// The key `name`, ordering by `column`.
    pub fn new<C>(name: &'static str, column: C) -> Self
    where
        C: AppearsOnTable<QS> + QueryFragment<MultiBackend> + Send + Sync + 'static,
    {
        SortKey { name, columns: vec![Arc::new(column)], source: PhantomData }
    }

    /// Then by `column`, in the same direction (for ties).
    pub fn then<C>(mut self, column: C) -> Self
    where
        C: AppearsOnTable<QS> + QueryFragment<MultiBackend> + Send + Sync + 'static,
    {
        self.columns.push(Arc::new(column));
        self
    }
}

/// How a list may be sorted: the keys it allows (the first also stands for
/// a name not in the table, as the lists did before they shared this), and
/// the columns that break ties, always ascending, so that windows neither
/// repeat nor skip rows.
pub struct Sorting<QS> {
    keys: Vec<SortKey<QS>>,
    ties: Vec<OrderColumn>,
}

impl<QS> Sorting<QS> {
    pub fn new(keys: Vec<SortKey<QS>>) -> Self {
        Sorting { keys, ties: Vec::new() }
    }

    /// Ties broken by `column`, ascending, whatever the client asked.
    pub fn ties_by<C>(mut self, column: C) -> Self
    where
        C: AppearsOnTable<QS> + QueryFragment<MultiBackend> + Send + Sync + 'static,
    {
        self.ties.push(Arc::new(column));
        self
    }

    /// The ordering for `asked`: each a key's name and whether descending.
    pub fn order<'s>(&self, asked: impl IntoIterator<Item = (&'s str, bool)>) -> OrderBy<QS> {
        let mut terms = Vec::new();
        for (name, descending) in asked {
            let key = self.keys.iter().find(|k| k.name == name).or(self.keys.first());
            for column in key.iter().flat_map(|k| &k.columns) {
                terms.push((column.clone(), descending));
            }
        }
        terms.extend(self.ties.iter().map(|c| (c.clone(), false)));
        OrderBy { terms, source: PhantomData }
    }
}

/// An `ORDER BY` list built by [`Sorting::order`].
pub struct OrderBy<QS> {
    terms: Vec<(OrderColumn, bool)>,
    source: PhantomData<fn() -> QS>,
}

impl<QS> Expression for OrderBy<QS> {
    type SqlType = NotSelectable;
}

impl<QS> AppearsOnTable<QS> for OrderBy<QS> {}

impl<QS> QueryFragment<MultiBackend> for OrderBy<QS> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        for (i, (column, descending)) in self.terms.iter().enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            column.walk_ast(out.reborrow())?;
            out.push_sql(if *descending { " DESC" } else { " ASC" });
        }
        Ok(())
    }
}

/// The window `offset..offset + limit` of the rows `filtered` selects, in
/// the order `asked` names from `sorting`, and the total number of rows:
/// at most two statements, whatever the window's size. The window is read
/// first; the total is counted only when neither `total` nor the window
/// tells it. A window that ends before `limit` and holds a row (or starts
/// at the first) is the end of the list, so the total is its end: a
/// selective filter (a `match` needle, an exact name) then costs one
/// statement, not two that both search. Callers run both in one
/// transaction, so a counted total and its window agree.
pub fn page<'s, Q, QS, R>(
    conn: &mut Conn,
    filtered: impl Fn() -> Q,
    sorting: &Sorting<QS>,
    asked: impl IntoIterator<Item = (&'s str, bool)>,
    offset: i64,
    limit: i64,
    total: Total,
) -> QueryResult<Page<R>>
where
    Q: SelectDsl<CountStar> + ThenOrderDsl<OrderBy<QS>, Output = Q> + LimitDsl<Output = Q> + OffsetDsl<Output = Q>,
    Q: LoadQuery<'static, Conn, R>,
    Select<Q, CountStar>: LoadQuery<'static, Conn, i64>,
{
    let order = sorting.order(asked);
    let query = if order.terms.is_empty() { filtered() } else { ThenOrderDsl::then_order_by(filtered(), order) };
    let rows: Vec<R> = RunQueryDsl::load(OffsetDsl::offset(LimitDsl::limit(query, limit), offset), conn)?;
    let shown = rows.len() as i64;
    let total = match total {
        Total::Known(total) => total,
        Total::Counted if shown < limit && (shown > 0 || offset == 0) => offset + shown,
        Total::Counted => RunQueryDsl::get_result(SelectDsl::select(filtered(), diesel::dsl::count_star()), conn)?,
    };
    Ok(Page { total, rows })
}

/// What a list of the managers surface asked for, echoed back in its
/// `pagination`.
pub struct Listing<'a> {
    pub page: i64,
    pub per: i64,
    pub query: Option<&'a str>,
    pub status: Option<&'a str>,
    pub sort_field: &'a str,
    pub sort: &'a str,
}

impl<'a> Listing<'a> {
    pub fn new(page: i64, per: i64, query: &'a Option<String>, sort_field: &'a str, sort: &'a str) -> Self {
        Listing { page, per, query: query.as_deref(), status: None, sort_field, sort }
    }

    /// The list filtered by `status` too.
    pub fn with_status(self, status: &'a Option<String>) -> Self {
        Listing { status: status.as_deref(), ..self }
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.per)
    }

    pub fn descending(&self) -> bool {
        self.sort == "desc"
    }

    /// The one sort key the request names, and whether descending.
    pub fn asked(&self) -> [(&str, bool); 1] {
        [(self.sort_field, self.descending())]
    }

    /// `query` as a LIKE pattern.
    pub fn like(&self) -> Option<String> {
        self.query.map(like_pattern)
    }

    pub fn pagination(&self, total: i64) -> Pagination {
        Pagination {
            per: self.per,
            page: self.page,
            total_pages: (total + self.per - 1) / self.per,
            total_records: total,
            query: self.query.unwrap_or_default().to_string(),
            filter: String::new(),
            status: self.status.unwrap_or_default().to_string(),
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

/// The answer to a create of the managers surface: `<what> created` and the
/// new resource's code.
pub fn created(what: &str, code: String) -> ResourceCreated {
    ResourceCreated { message: format!("{what} created"), resource_code: code }
}
