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

/// As [`render`], with files the template may read by their paths (PDF papers it binds in as
/// pages, say). Nothing else on the machine can be read.
pub fn render_with(
    template: &str,
    data: &impl serde::Serialize,
    files: Vec<(String, Vec<u8>)>,
    today: NaiveDate,
) -> Result<Vec<u8>, String> {
    let main_id = file_id("/main.typ").ok_or("bad template path")?;
    let doc = Document {
        main: Source::new(main_id, template.to_owned()),
        data_id: file_id("/data.json"),
        data: Bytes::new(serde_json::to_vec(data).map_err(|e| e.to_string())?),
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
