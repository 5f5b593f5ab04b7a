//! Form handling: fields arrive as text, are checked into domain types, and every problem is
//! collected so the page can show the design system's error summary and field errors at once.

use serde::de::DeserializeOwned;

use crate::web::error::AppError;

/// What a person is told when a form's hidden parts are missing or broken.
const UNREADABLE: &str = "The form could not be read. Go back, refresh the page and try again.";

/// Problems with a submitted form, in the order of the fields.
#[derive(Clone, Debug, Default)]
pub struct Errors(Vec<(String, String)>);

impl Errors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.0.push((field.to_owned(), message.into()));
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn list(&self) -> &[(String, String)] {
        &self.0
    }

    /// Keep the value when it is good, note the message against `field` when not.
    pub fn check<T, E: Into<String>>(&mut self, field: &str, r: Result<T, E>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e);
                None
            }
        }
    }
}

/// Read a url-encoded form body into a struct of text fields. Missing fields take their
/// defaults (every form struct derives `Default` and uses `#[serde(default)]`), so a malformed
/// or hostile body is refused with a clear message rather than a bare 422.
pub fn parse_form<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    serde_html_form::from_bytes(body).map_err(|_| AppError::BadRequest(UNREADABLE.into()))
}

/// The record version a form was opened on (a hidden field). Anything else means the page was
/// tampered with or is broken, not a mistake the person can correct in the form.
pub fn version(field: &str) -> Result<i64, AppError> {
    field
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest(UNREADABLE.into()))
}

/// The message for an edit made on a stale copy: who changed the record, and when.
pub fn stale_message(by: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    format!(
        "This was changed by {by} at {} while you were editing it. Review their change below, then make yours again.",
        crate::calendar::display_time(at)
    )
}

impl std::fmt::Display for crate::store::Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.changed {
            Some((by, at)) => f.write_str(&stale_message(by, *at)),
            None => f.write_str("This was removed while you were editing it."),
        }
    }
}

/// Characters that show nothing but change how the text around them is shown: the bidirectional
/// overrides, embeddings, isolates and marks, and zero-width characters. Kept out of names so
/// that a name cannot be made to read as something else.
pub fn invisible(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// The furthest page of a long list anyone may ask for: far past any real list, and small
/// enough that the offset it makes cannot overflow.
pub const MAX_PAGE: i64 = 100_000;

/// The page of a long list asked for in the `page` query field: 1 when empty, refused with a
/// clear message when it is not a whole number from 1 to [`MAX_PAGE`].
pub fn page_number(field: &str) -> Result<i64, AppError> {
    match field.trim() {
        "" => Ok(1),
        s => s
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| {
                AppError::Unprocessable(format!(
                    "The page number must be a whole number from 1 to {MAX_PAGE}"
                ))
            }),
    }
}

/// A checked form: the handler's extractor for `application/x-www-form-urlencoded` bodies.
pub struct FormData<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequest<S> for FormData<T> {
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, _: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::to_bytes(req.into_body(), crate::web::FORM_LIMIT)
            .await
            .map_err(|_| AppError::BadRequest("The form was too large to send".into()))?;
        Ok(FormData(parse_form(&bytes)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Default, Debug)]
    #[serde(default)]
    struct F {
        name: String,
        age: String,
    }

    #[test]
    fn page_numbers_are_bounded() {
        assert_eq!(page_number("").ok(), Some(1));
        assert_eq!(page_number(" 3 ").ok(), Some(3));
        for bad in [
            "0",
            "-1",
            "abc",
            "100001",
            "9223372036854775807",
            "99999999999999999999",
        ] {
            assert!(page_number(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn missing_fields_are_empty_and_errors_keep_order() {
        let f: F = parse_form(b"name=Jo").expect("form");
        assert_eq!((f.name.as_str(), f.age.as_str()), ("Jo", ""));
        let mut e = Errors::default();
        e.add("name", "Enter a name");
        e.add("age", "Enter an age");
        e.add("name", "second message ignored");
        assert_eq!(e.list().len(), 2);
        assert_eq!(e.get("name"), Some("Enter a name"));
    }
}
