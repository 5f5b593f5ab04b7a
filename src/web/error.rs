//! One error type for every handler. It knows its HTTP status and the message a person sees;
//! the page (or JSON body) is drawn by [`crate::web::render_errors`], which adds the request id
//! so a report from a user matches a log line. Internals never reach the response.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// An edit made on a stale copy: says who changed it and when.
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    TooManyRequests(String),
    /// Too much is being done at once: try again soon.
    #[error("{0}")]
    Busy(String),
    /// Credentials that are not (or no longer) enough: an API token refused, say.
    #[error("{0}")]
    Unauthorized(String),
    #[error("the form was sent without a valid security token")]
    Csrf,
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> Self {
        AppError::Internal(format!("task: {e}"))
    }
}

/// Attached to an error response so the error middleware can draw the page.
#[derive(Clone, Debug)]
pub struct ErrorInfo {
    pub message: String,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the person is told.
    pub fn public_message(&self) -> String {
        match self {
            AppError::NotFound => "Page not found".into(),
            AppError::Forbidden => "You do not have permission to see this page".into(),
            AppError::Csrf => "Your form could not be sent because the page had expired. Go back, refresh the page and try again.".into(),
            AppError::Conflict(m) | AppError::BadRequest(m) | AppError::Unprocessable(m) | AppError::TooManyRequests(m) | AppError::Unauthorized(m) | AppError::Busy(m) => m.clone(),
            AppError::Internal(_) => "Sorry, there is a problem with the service".into(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self {
            tracing::error!(error = %detail, "internal error");
        }
        let mut res = self.status().into_response();
        res.extensions_mut().insert(ErrorInfo {
            message: self.public_message(),
        });
        res
    }
}

pub type AppResult<T> = Result<T, AppError>;
