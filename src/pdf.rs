//! PDFs: one way to make them, for every capability. A document is a Typst template (kept with
//! its capability) that reads its data from `data.json`, so nothing a user typed is ever parsed
//! as markup. Typst lays it out with the embedded Noto Sans and writes a tagged PDF.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use rust_embed::RustEmbed;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::web::error::{AppError, AppResult};

#[derive(RustEmbed)]
#[folder = "assets/pdf-fonts/"]
struct Fonts;

/// Fonts and the standard library are loaded once; each document is cheap after that.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = Fonts::iter()
        .filter(|name| name.ends_with(".ttf"))
        .filter_map(|name| Fonts::get(&name))
        .flat_map(|f| Font::iter(Bytes::new(f.data.into_owned())))
        .collect();
    Shared {
        library: LazyHash::new(Library::builder().build()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

fn file_id(path: &str) -> Option<FileId> {
    let vpath = VirtualPath::new(path).ok()?;
    Some(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// One document being made: its template, its data, the files it binds in, and its date.
struct Document {
    main: Source,
    data_id: Option<FileId>,
    data: Bytes,
    files: Vec<(FileId, Bytes)>,
    today: NaiveDate,
}

impl World for Document {
    fn library(&self) -> &LazyHash<Library> {
        &SHARED.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &SHARED.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if Some(id) == self.data_id {
            return Ok(self.data.clone());
        }
        self.files
            .iter()
            .find(|(f, _)| *f == id)
            .map(|(_, b)| b.clone())
            .ok_or(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        SHARED.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Datetime::from_ymd(
            self.today.year(),
            u8::try_from(self.today.month()).ok()?,
            u8::try_from(self.today.day()).ok()?,
        )
    }
}

/// Make a PDF from a Typst template and the data it reads as `json("data.json")`.
/// An error is a fault in the template, not in the data, and is reported as such.
pub fn render(
    template: &str,
    data: &impl serde::Serialize,
    today: NaiveDate,
) -> Result<Vec<u8>, String> {
    render_with(template, data, Vec::new(), today)
}

/// At most this many documents are laid out at once, each on a core of its own while it runs;
/// a request that finds them all busy waits up to [`QUEUE_WAIT`], then is told to try again. So
/// however many requests ask for PDFs, the rest of masa keeps its cores.
const AT_ONCE: usize = 1;
const QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);
static LAYOUT: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(AT_ONCE);

/// The most data (as JSON) a document may be made from: far beyond any real agenda or
/// arrangements, and small enough to lay out in seconds.
pub const MAX_DATA: usize = 2 * 1024 * 1024;

/// Make a PDF for a request: as [`render_with`], off the async workers, one document at a time,
/// refusing data beyond [`MAX_DATA`] and saying "busy" rather than queueing without end.
/// A PDF made for the person asking (a paper before publication, a certificate): shown in the
/// browser, named `file_name`, never kept by a cache.
pub fn private_inline(bytes: Vec<u8>, file_name: &str) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

pub async fn make(
    template: &'static str,
    data: &impl serde::Serialize,
    files: Vec<(String, Vec<u8>)>,
    today: NaiveDate,
) -> AppResult<Vec<u8>> {
    let json = serde_json::to_vec(data).map_err(|e| AppError::Internal(e.to_string()))?;
    if json.len() > MAX_DATA {
        return Err(AppError::Unprocessable(
            "This is too large to make into a PDF. Download the papers on their own.".into(),
        ));
    }
    let Ok(Ok(permit)) = tokio::time::timeout(QUEUE_WAIT, LAYOUT.acquire()).await else {
        return Err(AppError::Busy(
            "masa is busy making other PDFs. Try again in a minute.".into(),
        ));
    };
    let pdf = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        render_json(template, json, files, today)
    })
    .await?
    .map_err(|e| AppError::Internal(format!("PDF: {e}")))?;
    Ok(pdf)
}

/// As [`render`], with files the template may read by their paths (PDF papers it binds in as
/// pages, say). Nothing else on the machine can be read.
pub fn render_with(
    template: &str,
    data: &impl serde::Serialize,
    files: Vec<(String, Vec<u8>)>,
    today: NaiveDate,
) -> Result<Vec<u8>, String> {
    let json = serde_json::to_vec(data).map_err(|e| e.to_string())?;
    render_json(template, json, files, today)
}

fn render_json(
    template: &str,
    json: Vec<u8>,
    files: Vec<(String, Vec<u8>)>,
    today: NaiveDate,
) -> Result<Vec<u8>, String> {
    let main_id = file_id("/main.typ").ok_or("bad template path")?;
    let doc = Document {
        main: Source::new(main_id, template.to_owned()),
        data_id: file_id("/data.json"),
        data: Bytes::new(json),
        files: files
            .into_iter()
            .filter_map(|(path, bytes)| Some((file_id(&path)?, Bytes::new(bytes))))
            .collect(),
        today,
    };
    let compiled = typst::compile::<PagedDocument>(&doc)
        .output
        .map_err(|errs| {
            errs.iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        })?;
    typst_pdf::pdf(&compiled, &typst_pdf::PdfOptions::default()).map_err(|errs| {
        errs.iter()
            .map(|e| e.message.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_read_as_data_never_as_markup() {
        let template = r#"#let d = json("data.json")
#set document(title: d.title)
#set text(font: "Noto Sans", lang: "en")
= #d.title
#d.body
"#;
        let data = serde_json::json!({
            "title": "Arrangements",
            "body": "#panic(\"injected\") and *not bold* and ]["
        });
        let pdf = render(
            template,
            &data,
            NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default(),
        )
        .expect("a PDF");
        assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
        assert!(pdf.len() > 1000);
    }

    #[test]
    fn a_broken_template_is_an_error_not_a_panic() {
        let r = render("#let x = (", &serde_json::json!({}), NaiveDate::default());
        assert!(r.is_err());
    }
}
