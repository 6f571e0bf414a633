//! Failures a caller can match on without reading strings. Progenitor
//! types an error body only for the statuses an operation documents; a 401
//! or a 429 that the spec does not list for an operation arrives as an
//! unparsed `UnexpectedResponse`. Every surface answers all its errors in one
//! body shape, so [`ErrorExt::into_api_error`] reads any failure of an
//! operation into that surface's type.

use std::future::Future;

use progenitor_client::Error;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::types;

/// A surface's one error body: `types::SystemError` (`/api/v1`),
/// `types::ManagersError` (`/api/...`), `types::OnlyofficeError` (`/api/2.0`).
pub trait SurfaceError: DeserializeOwned + std::fmt::Debug + Send + 'static {
    /// The human-readable message of the body.
    fn message(&self) -> &str;
}

impl SurfaceError for types::SystemError {
    fn message(&self) -> &str {
        &self.message
    }
}

impl SurfaceError for types::ManagersError {
    fn message(&self) -> &str {
        &self.message
    }
}

impl SurfaceError for types::OnlyofficeError {
    fn message(&self) -> &str {
        &self.error.message
    }
}

/// A failed call, with the answer's status and the surface's typed body
/// whether or not the spec lists that status for the operation.
#[derive(Debug)]
pub enum ApiError<E> {
    /// The server answered `status` with the surface's error body.
    Response { status: StatusCode, body: E },
    /// The server answered `status` with a body that is not the surface's
    /// error shape (or none): a proxy's page, for instance.
    Unparsed { status: StatusCode, body: String },
    /// No answer to read: the request could not be built or sent, or a
    /// success body did not match the spec.
    Other(Error<E>),
}

impl<E> ApiError<E> {
    /// The answer's status, if there was an answer.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            ApiError::Response { status, .. } | ApiError::Unparsed { status, .. } => Some(*status),
            ApiError::Other(e) => e.status(),
        }
    }

    /// The surface's error body, if the answer had one.
    pub fn body(&self) -> Option<&E> {
        match self {
            ApiError::Response { body, .. } => Some(body),
            _ => None,
        }
    }
}

impl ApiError<types::ManagersError> {
    /// The managers surface's failing fields (a 422 lists every one; other
    /// errors none).
    pub fn field_errors(&self) -> &[types::FieldError] {
        self.body().map(|b| b.errors.as_slice()).unwrap_or(&[])
    }
}

impl<E: SurfaceError> std::fmt::Display for ApiError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Response { status, body } => write!(f, "{status}: {}", body.message()),
            ApiError::Unparsed { status, body } => write!(f, "{status}: {body}"),
            ApiError::Other(e) => write!(f, "{e}"),
        }
    }
}

impl<E: SurfaceError> std::error::Error for ApiError<E> {}

/// Reads any error of a generated method into [`ApiError`].
pub trait ErrorExt<E> {
    /// The failure with its status and typed body; reads the body of an
    /// undocumented answer.
    fn into_api_error(self) -> impl Future<Output = ApiError<E>> + Send;
}

impl<E: SurfaceError> ErrorExt<E> for Error<E> {
    async fn into_api_error(self) -> ApiError<E> {
        match self {
            Error::ErrorResponse(value) => {
                let status = value.status();
                ApiError::Response { status, body: value.into_inner() }
            }
            Error::UnexpectedResponse(response) => {
                let status = response.status();
                let text = response.text().await.unwrap_or_default();
                match serde_json::from_str::<E>(&text) {
                    Ok(body) => ApiError::Response { status, body },
                    Err(_) => ApiError::Unparsed { status, body: text },
                }
            }
            other => ApiError::Other(other),
        }
    }
}
