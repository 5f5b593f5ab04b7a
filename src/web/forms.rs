//! Form handling: fields arrive as text, are checked into domain types, and every problem is
//! collected so the page can show the design system's error summary and field errors at once.

use chrono::{Datelike, NaiveDate};
use serde::de::DeserializeOwned;

use crate::calendar::today;

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

/// The field readers: every form reads what people type through these, so the same mistake gets
/// the same words everywhere. Each trims, notes a problem against its field, and returns what
/// was typed (text) or the value (choices, numbers) when it is good. What a field is for is
/// said by the caller's message ("Enter the body's name"); the rules' own words are here.
impl Errors {
    /// A name or title that must be given: at most [`NAME_MAX`] characters.
    pub fn required(&mut self, field: &str, v: &str, missing: &str) -> String {
        self.required_text(field, v, NAME_MAX, missing)
    }

    /// Text that must be given, at most `max` characters.
    pub fn required_text(&mut self, field: &str, v: &str, max: usize, missing: &str) -> String {
        let v = v.trim();
        if v.is_empty() {
            self.add(field, missing);
        } else if v.chars().count() > max {
            self.add(field, too_long(max));
        }
        v.to_owned()
    }

    /// Text that may be empty, at most `max` characters.
    pub fn text(&mut self, field: &str, v: &str, max: usize) -> String {
        let v = v.trim();
        if v.chars().count() > max {
            self.add(field, too_long(max));
        }
        v.to_owned()
    }

    /// One of the choices' keys, or nothing when empty; anything else is refused with `msg`.
    pub fn choice<C: Choice>(
        &mut self,
        field: &str,
        v: &str,
        choices: &[C],
        msg: &str,
    ) -> Option<String> {
        let v = v.trim();
        if v.is_empty() {
            return None;
        }
        if choices.iter().any(|c| c.key() == v) {
            Some(v.to_owned())
        } else {
            self.add(field, msg);
            None
        }
    }

    /// One of the choices' keys, which must be given: empty or anything else is refused with
    /// `msg` ("Select what kind of case this is").
    pub fn required_choice<C: Choice>(
        &mut self,
        field: &str,
        v: &str,
        choices: &[C],
        msg: &str,
    ) -> Option<String> {
        let got = self.choice(field, v, choices, msg);
        if got.is_none() {
            self.add(field, msg);
        }
        got
    }

    /// A time on the 24-hour clock ("09:30"); empty is refused with `missing`, anything else
    /// with the one message for a time.
    pub fn time(&mut self, field: &str, v: &str, missing: &str) -> Option<chrono::NaiveTime> {
        if v.trim().is_empty() {
            self.add(field, missing);
            return None;
        }
        match chrono::NaiveTime::parse_from_str(v.trim(), "%H:%M") {
            Ok(t) => Some(t),
            Err(_) => {
                self.add(
                    field,
                    "Enter a time on the 24-hour clock, like 10:00 or 14:30",
                );
                None
            }
        }
    }

    /// A web address starting https:// (or http://), at most 500 characters, or empty: as
    /// typed, trimmed; anything else refused with the one message for it.
    pub fn web_address(&mut self, field: &str, v: &str) -> String {
        let v = v.trim();
        if !v.is_empty()
            && (!(v.starts_with("https://") || v.starts_with("http://"))
                || v.chars().count() > 500
                || v.chars().any(char::is_whitespace))
        {
            self.add(
                field,
                "Enter a web address starting https://, or leave it empty",
            );
        }
        v.to_owned()
    }

    /// A whole number in a range, which must be given: empty is refused with `missing`,
    /// anything else out of range with `msg`.
    pub fn required_whole_number(
        &mut self,
        field: &str,
        v: &str,
        range: std::ops::RangeInclusive<u32>,
        missing: &str,
        msg: &str,
    ) -> Option<u32> {
        if v.trim().is_empty() {
            self.add(field, missing);
            return None;
        }
        self.whole_number(field, v, range, msg)
    }

    /// A whole number in a range, or nothing when empty; anything else is refused with `msg`.
    pub fn whole_number(
        &mut self,
        field: &str,
        v: &str,
        range: std::ops::RangeInclusive<u32>,
        msg: &str,
    ) -> Option<u32> {
        match v.trim() {
            "" => None,
            s => match s.parse::<u32>() {
                Ok(n) if range.contains(&n) => Some(n),
                _ => {
                    self.add(field, msg);
                    None
                }
            },
        }
    }

    /// A percentage ("75" or "75%") as a share (0.75), more than 0 and at most 100, to a tenth
    /// of a percent; nothing when empty.
    pub fn percentage(&mut self, field: &str, v: &str, msg: &str) -> Option<f64> {
        let s = v.trim().trim_end_matches('%').trim();
        if s.is_empty() {
            return None;
        }
        match s.parse::<f64>() {
            Ok(x) if x > 0.0 && x <= 100.0 => Some((x * 10.0).round() / 1000.0),
            _ => {
                self.add(field, msg);
                None
            }
        }
    }
}

/// The date readers. A date is typed in the design system's three boxes (day, month, year);
/// [`fold_dates`] joins them into one field as "year-month-day" as typed, which is also how a
/// script may send one ("2026-04-14"). A year outside 2000 to 2100 is taken for a slip of the
/// keyboard. Problems name the field by its label ("Due date must include a month"), as the
/// design system asks. Whether a date may lie in the future or the past is the caller's rule and
/// is said in the caller's words (`msg`), because "the due date must be today or later" tells a
/// person more than a rule's name would.
impl Errors {
    /// A date, or nothing when empty.
    pub fn date(&mut self, field: &str, label: &str, v: &str) -> Option<NaiveDate> {
        match read_date(label, v) {
            Ok(d) => d,
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }

    /// A date that must be given.
    pub fn required_date(
        &mut self,
        field: &str,
        label: &str,
        v: &str,
        missing: &str,
    ) -> Option<NaiveDate> {
        if date_parts(v).iter().all(|p| p.is_empty()) {
            self.add(field, missing);
            return None;
        }
        self.date(field, label, v)
    }

    /// The date kept only when it is not after today (England's today).
    pub fn not_future(
        &mut self,
        field: &str,
        d: Option<NaiveDate>,
        msg: &str,
    ) -> Option<NaiveDate> {
        match d {
            Some(d) if d > today() => {
                self.add(field, msg);
                None
            }
            d => d,
        }
    }

    /// The date kept only when it is not before today (England's today).
    pub fn not_past(&mut self, field: &str, d: Option<NaiveDate>, msg: &str) -> Option<NaiveDate> {
        match d {
            Some(d) if d < today() => {
                self.add(field, msg);
                None
            }
            d => d,
        }
    }
}

/// A label as it reads inside a sentence: "Date of publication" in "Enter the date of
/// publication".
pub fn in_sentence(label: &str) -> String {
    let mut c = label.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The example every date field shows, in the format its boxes take.
pub const DATE_EXAMPLE: &str = "27 3 2026";

/// The one date reader: a date field's value ("year-month-day", as folded from the three boxes
/// or sent whole) read into a date, nothing when every part is empty, or what is wrong in words
/// that name the field by its label.
pub fn read_date(label: &str, v: &str) -> Result<Option<NaiveDate>, String> {
    let parts = date_parts(v);
    if parts.iter().all(|p| p.is_empty()) {
        return Ok(None);
    }
    let [year, month, day] = &parts;
    let missing: Vec<&str> = [(day, "day"), (month, "month"), (year, "year")]
        .iter()
        .filter(|(p, _)| p.is_empty())
        .map(|(_, n)| *n)
        .collect();
    if !missing.is_empty() && v.contains('-') {
        let which = match missing.as_slice() {
            [one] => (*one).to_owned(),
            [a, b] => format!("{a} and {b}"),
            _ => "day, month and year".to_owned(),
        };
        return Err(format!("{label} must include a {which}"));
    }
    let real = || format!("{label} must be a real date, like {DATE_EXAMPLE}");
    let number = |p: &str| p.parse::<u32>().map_err(|_| real());
    let (y, m, d) = (number(year)?, number(month)?, number(day)?);
    if year.len() != 4 {
        return Err(format!(
            "{label} must have a year of four digits, like 2026"
        ));
    }
    match i32::try_from(y)
        .ok()
        .and_then(|y| NaiveDate::from_ymd_opt(y, m, d))
    {
        Some(date) if (2000..=2100).contains(&date.year()) => Ok(Some(date)),
        _ => Err(real()),
    }
}

/// A date field's value as its year, month and day, as typed (empty where not typed): what the
/// three boxes show again when a form is refused. A value that is not "year-month-day" is one
/// part only, which the reader refuses.
pub fn date_parts(v: &str) -> [String; 3] {
    let v = v.trim();
    let mut parts = v.splitn(3, '-').map(|p| p.trim().to_owned());
    match (parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d)) => [y, m, d],
        _ if v.is_empty() => Default::default(),
        _ => [v.to_owned(), String::new(), String::new()],
    }
}

/// The design system's date input sends a date as three fields, `due-day`, `due-month` and
/// `due-year`. Fold each such triple into one field `due` ("year-month-day" as typed; empty when
/// nothing was typed), so that every form, query and upload has one field per date and one
/// reader reads them all. Other fields pass as they came, in their order.
pub fn fold_dates(pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    let stem = |k: &str| {
        DATE_PARTS
            .iter()
            .find_map(|s| k.strip_suffix(s))
            .map(str::to_owned)
    };
    if !pairs.iter().any(|(k, _)| stem(k).is_some()) {
        return pairs;
    }
    let value = |name: &str, part: &str| {
        let key = format!("{name}{part}");
        pairs
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.trim().replace('-', ""))
            .unwrap_or_default()
    };
    let mut out: Vec<(String, String)> = Vec::with_capacity(pairs.len());
    let mut folded: Vec<String> = Vec::new();
    for (k, v) in &pairs {
        match stem(k) {
            Some(name) if !folded.contains(&name) => {
                let [y, m, d] = DATE_PARTS.map(|p| value(&name, p));
                let joined = if [&y, &m, &d].iter().all(|p| p.is_empty()) {
                    String::new()
                } else {
                    format!("{y}-{m}-{d}")
                };
                out.retain(|(k, _)| *k != name);
                out.push((name.clone(), joined));
                folded.push(name);
            }
            Some(_) => {}
            None if folded.contains(k) => {}
            None => out.push((k.clone(), v.clone())),
        }
    }
    out
}

/// How the date input's three boxes are named after their field.
const DATE_PARTS: [&str; 3] = ["-year", "-month", "-day"];

/// A url-encoded body or query with its date inputs folded by [`fold_dates`]; one without any
/// passes untouched.
fn folded(body: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    if !pairs
        .iter()
        .any(|(k, _)| DATE_PARTS.iter().any(|s| k.ends_with(s)))
    {
        return std::borrow::Cow::Borrowed(body);
    }
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    s.extend_pairs(fold_dates(pairs));
    std::borrow::Cow::Owned(s.finish().into_bytes())
}

/// The longest name or title a form takes.
pub const NAME_MAX: usize = 200;

/// What a person is told when they typed too much: "Enter 5,000 characters or fewer".
pub fn too_long(max: usize) -> String {
    format!("Enter {} characters or fewer", thousands(max))
}

/// A count as people write it: 5,000; 20,000.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What a choice is known by in a form: the key of a (key, label) pair.
pub trait Choice {
    fn key(&self) -> &str;
}

impl Choice for (String, String) {
    fn key(&self) -> &str {
        &self.0
    }
}

impl Choice for (&str, &str) {
    fn key(&self) -> &str {
        self.0
    }
}

/// Read a url-encoded form body into a struct of text fields. Missing fields take their
/// defaults (every form struct derives `Default` and uses `#[serde(default)]`), so a malformed
/// or hostile body is refused with a clear message rather than a bare 422.
pub fn parse_form<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    serde_html_form::from_bytes(&folded(body)).map_err(|_| AppError::BadRequest(UNREADABLE.into()))
}

/// A checked query string: the extractor for GET forms (filters), read as forms are, so that a
/// filter's date inputs fold into one field each. Unknown or malformed queries are refused with
/// a clear message.
pub struct QueryData<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for QueryData<T> {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        serde_html_form::from_bytes(&folded(q.as_bytes()))
            .map(QueryData)
            .map_err(|_| {
                AppError::BadRequest("The address could not be read. Go back and try again.".into())
            })
    }
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

    #[test]
    fn the_readers_say_the_same_thing_for_the_same_mistake() {
        let mut e = Errors::default();
        assert_eq!(e.required("a", "  Board  ", "Enter the name"), "Board");
        assert!(e.is_empty());
        e.required("b", " ", "Enter the name");
        e.required("c", &"x".repeat(201), "Enter the name");
        e.text("d", &"x".repeat(5001), 5000);
        assert_eq!(e.get("b"), Some("Enter the name"));
        assert_eq!(e.get("c"), Some("Enter 200 characters or fewer"));
        assert_eq!(e.get("d"), Some("Enter 5,000 characters or fewer"));
        let choices = [("police", "Police"), ("health", "Health")];
        let mut e = Errors::default();
        assert_eq!(
            e.choice("s", "police", &choices, "Select"),
            Some("police".into())
        );
        assert_eq!(e.choice("s", "", &choices, "Select"), None);
        assert!(e.is_empty());
        assert_eq!(e.choice("s", "Police", &choices, "Select the sector"), None);
        assert_eq!(e.get("s"), Some("Select the sector"));
        let mut e = Errors::default();
        assert_eq!(e.whole_number("n", " 12 ", 1..=60, "bad"), Some(12));
        assert_eq!(e.whole_number("n", "", 1..=60, "bad"), None);
        assert!(e.is_empty());
        assert_eq!(e.whole_number("n", "61", 1..=60, "bad"), None);
        assert_eq!(e.whole_number("m", "-1", 1..=60, "bad"), None);
        assert_eq!(e.whole_number("o", "1.5", 1..=60, "bad"), None);
        assert_eq!(e.list().len(), 3);
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(20_000), "20,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn dates_are_read_one_way() {
        let mut e = Errors::default();
        let d = NaiveDate::from_ymd_opt(2026, 4, 14);
        assert_eq!(e.date("a", "Date", " 2026-04-14 "), d);
        assert_eq!(e.date("a", "Date", "2026-4-14"), d, "as typed in the boxes");
        assert_eq!(e.date("a", "Date", ""), None);
        assert_eq!(e.date("a", "Date", "--"), None, "three empty boxes");
        assert!(e.is_empty());
        for (field, bad, message) in [
            (
                "b",
                "14/04/2026",
                "Due date must be a real date, like 27 3 2026",
            ),
            (
                "c",
                "2026-02-30",
                "Due date must be a real date, like 27 3 2026",
            ),
            (
                "d",
                "1900-01-01",
                "Due date must be a real date, like 27 3 2026",
            ),
            ("h", "2026--14", "Due date must include a month"),
            ("i", "-4-", "Due date must include a day and year"),
            (
                "j",
                "26-4-14",
                "Due date must have a year of four digits, like 2026",
            ),
            (
                "k",
                "2026-April-14",
                "Due date must be a real date, like 27 3 2026",
            ),
        ] {
            assert_eq!(e.date(field, "Due date", bad), None, "{bad}");
            assert_eq!(e.get(field), Some(message), "{bad}");
        }
        assert_eq!(
            e.required_date("e", "Date", "--", "Enter the date of the meeting"),
            None
        );
        assert_eq!(e.get("e"), Some("Enter the date of the meeting"));
        let t = today();
        let (yesterday, tomorrow) = (t.pred_opt(), t.succ_opt());
        let mut e = Errors::default();
        assert_eq!(e.not_future("f", Some(t), "past"), Some(t));
        assert_eq!(e.not_future("f", yesterday, "past"), yesterday);
        assert_eq!(e.not_past("g", tomorrow, "future"), tomorrow);
        assert_eq!(e.not_past("g", None, "future"), None);
        assert!(e.is_empty());
        assert_eq!(e.not_future("f", tomorrow, "not in the future"), None);
        assert_eq!(e.not_past("g", yesterday, "not in the past"), None);
        assert_eq!(e.get("f"), Some("not in the future"));
        assert_eq!(e.get("g"), Some("not in the past"));
    }

    #[derive(serde::Deserialize, Default, Debug)]
    #[serde(default)]
    struct F {
        name: String,
        age: String,
    }

    #[test]
    fn the_three_boxes_fold_into_one_field() {
        let pairs = |v: &[(&str, &str)]| {
            v.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        let folded = fold_dates(pairs(&[
            ("title", "A"),
            ("due-day", " 7 "),
            ("due-month", "3"),
            ("due-year", "2027"),
            ("from-day", ""),
            ("from-month", ""),
            ("from-year", ""),
            ("to-day", "1"),
            ("to-year", "2027"),
            ("note", "B"),
        ]));
        assert_eq!(
            folded,
            pairs(&[
                ("title", "A"),
                ("due", "2027-3-7"),
                ("from", ""),
                ("to", "2027--1"),
                ("note", "B"),
            ])
        );
        assert_eq!(date_parts("2027--1"), ["2027", "", "1"].map(String::from));
        assert_eq!(date_parts(""), ["", "", ""].map(String::from));
        let f: G = parse_form(b"due-day=31&due-month=12&due-year=2026&name=x").expect("form");
        assert_eq!((f.due.as_str(), f.name.as_str()), ("2026-12-31", "x"));
        let f: G = parse_form(b"due=2026-12-31").expect("a whole date, as a script sends it");
        assert_eq!(f.due, "2026-12-31");
    }

    #[derive(serde::Deserialize, Default, Debug)]
    #[serde(default)]
    struct G {
        due: String,
        name: String,
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
