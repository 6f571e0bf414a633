//! Lists as streams. Each surface pages its own way (`limit`/`offset` with
//! a `count`, `page`/`per` with `pagination.total_pages`, `startIndex`/
//! `count` with a `total`); the `stream()` method every list builder has is
//! generated from the spec (`hostadmin-codegen`'s `client` module), and all
//! of them share this one driver, which fetches a page only when the
//! previous one has been read.

use std::future::Future;
use std::pin::Pin;

use futures::Stream;
use progenitor_client::Error;

/// The operations whose builders have a `stream()`, as the spec lists them.
pub use crate::runtime::spec::LISTS;

/// Every item of a list, in order; an error ends the stream.
pub type ItemStream<'a, T, E> = Pin<Box<dyn Stream<Item = Result<T, Error<E>>> + Send + 'a>>;

/// One fetched page and where the next one starts, if there is one.
pub(crate) struct Page<T> {
    items: Vec<T>,
    next: Option<u64>,
}

impl<T> Page<T> {
    /// An empty page is the last, whatever the totals say (so a list that
    /// shrinks while it is read cannot loop).
    pub(crate) fn new(items: Vec<T>, next: Option<u64>) -> Self {
        let next = if items.is_empty() { None } else { next };
        Page { items, next }
    }
}

struct State<B, F, T> {
    builder: B,
    fetch: F,
    next: Option<u64>,
    buffer: std::vec::IntoIter<T>,
}

/// The stream of items that `fetch(builder, at)` returns page by page,
/// from `at = start`.
pub(crate) fn items<'a, B, T, E, F, Fut>(builder: B, start: u64, fetch: F) -> ItemStream<'a, T, E>
where
    B: Clone + Send + 'a,
    T: Send + 'a,
    E: Send + 'a,
    F: Fn(B, u64) -> Fut + Send + 'a,
    Fut: Future<Output = Result<Page<T>, Error<E>>> + Send + 'a,
{
    let state = State { builder, fetch, next: Some(start), buffer: Vec::new().into_iter() };
    Box::pin(futures::stream::try_unfold(state, |mut s| async move {
        loop {
            if let Some(item) = s.buffer.next() {
                return Ok(Some((item, s)));
            }
            let Some(at) = s.next else { return Ok(None) };
            let page = (s.fetch)(s.builder.clone(), at).await?;
            s.next = page.next;
            s.buffer = page.items.into_iter();
        }
    }))
}
