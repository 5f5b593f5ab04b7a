//! What a file truly is, from its bytes rather than its name: the name says what the person
//! meant to send; the content must agree, or the file is refused.

use std::io::{Cursor, Read};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileType {
    Pdf,
    Docx,
    Xlsx,
    Odt,
    Csv,
}

/// What people are told the accepted types are.
pub const ACCEPTED: &str = "a PDF, DOCX, XLSX, ODT or CSV";

impl FileType {
    pub fn media_type(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileType::Odt => "application/vnd.oasis.opendocument.text",
            FileType::Csv => "text/csv",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FileType::Pdf => "PDF",
            FileType::Docx => "DOCX",
            FileType::Xlsx => "XLSX",
            FileType::Odt => "ODT",
            FileType::Csv => "CSV",
        }
    }

    /// The type a stored media type names.
    pub fn of_media_type(m: &str) -> Option<FileType> {
        [
            FileType::Pdf,
            FileType::Docx,
            FileType::Xlsx,
            FileType::Odt,
            FileType::Csv,
        ]
        .into_iter()
        .find(|t| t.media_type() == m)
    }

    fn from_extension(name: &str) -> Option<FileType> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "pdf" => Some(FileType::Pdf),
            "docx" => Some(FileType::Docx),
            "xlsx" => Some(FileType::Xlsx),
            "odt" => Some(FileType::Odt),
            "csv" => Some(FileType::Csv),
            _ => None,
        }
    }
}

/// The file's type when its name and its content agree; otherwise why not, in words for the
/// person who sent it.
pub fn identify(name: &str, bytes: &[u8]) -> Result<FileType, String> {
    let claimed = FileType::from_extension(name)
        .ok_or_else(|| format!("The selected file must be {ACCEPTED}"))?;
    let truly = match claimed {
        FileType::Pdf => is_pdf(bytes),
        FileType::Docx => zip_holds(bytes, &["[Content_Types].xml", "word/document.xml"]),
        FileType::Xlsx => zip_holds(bytes, &["[Content_Types].xml", "xl/workbook.xml"]),
        FileType::Odt => is_odt(bytes),
        FileType::Csv => is_csv(bytes),
    };
    if truly {
        Ok(claimed)
    } else {
        let a = if claimed == FileType::Xlsx || claimed == FileType::Odt {
            "an"
        } else {
            "a"
        };
        let label = claimed.label();
        Err(format!(
            "The selected file's name says it is {a} {label} but its content is not: save it as {a} {label} again and upload that"
        ))
    }
}

fn is_pdf(bytes: &[u8]) -> bool {
    // The header may follow a little junk (the format allows 1,024 bytes); the end marker is
    // near the end.
    let head = &bytes[..bytes.len().min(1024)];
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    find(head, b"%PDF-").is_some() && find(tail, b"%%EOF").is_some()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// An Office Open XML package: a zip with the parts its kind must have. Only the zip's
/// directory is read, so a zip bomb costs nothing.
fn zip_holds(bytes: &[u8], parts: &[&str]) -> bool {
    let Ok(archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return false;
    };
    parts
        .iter()
        .all(|p| archive.file_names().any(|n| n.is_ok_and(|n| n == *p)))
}

/// An OpenDocument text: a zip whose `mimetype` entry names it, and a `content.xml`.
fn is_odt(bytes: &[u8]) -> bool {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return false;
    };
    if !archive
        .file_names()
        .any(|n| n.is_ok_and(|n| n == "content.xml"))
    {
        return false;
    }
    let Ok(entry) = archive.by_name("mimetype") else {
        return false;
    };
    let mut text = String::new();
    if entry.take(100).read_to_string(&mut text).is_err() {
        return false;
    }
    text.trim() == "application/vnd.oasis.opendocument.text"
}

/// Text of comma-separated values: UTF-8 (a byte-order mark allowed), no control characters
/// but tabs and line ends, and rows the csv reader can read.
fn is_csv(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
    {
        return false;
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = 0;
    for r in reader.records() {
        if r.is_err() {
            return false;
        }
        rows += 1;
    }
    rows > 0
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use std::io::Write;

    /// A zip holding the named parts, each with a little text.
    pub fn zip_of(parts: &[(&str, &str)]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut out);
            for (name, text) in parts {
                z.start_file(*name, zip::write::SimpleFileOptions::default())
                    .expect("start");
                z.write_all(text.as_bytes()).expect("write");
            }
            z.finish().expect("finish");
        }
        out.into_inner()
    }

    #[test]
    fn each_type_is_known_by_its_content() {
        let pdf = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
        assert_eq!(identify("Report.PDF", pdf), Ok(FileType::Pdf));
        let docx = zip_of(&[
            ("[Content_Types].xml", "<x/>"),
            ("word/document.xml", "<w/>"),
        ]);
        assert_eq!(identify("paper.docx", &docx), Ok(FileType::Docx));
        let xlsx = zip_of(&[("[Content_Types].xml", "<x/>"), ("xl/workbook.xml", "<w/>")]);
        assert_eq!(identify("scorecard.xlsx", &xlsx), Ok(FileType::Xlsx));
        let odt = zip_of(&[
            ("mimetype", "application/vnd.oasis.opendocument.text"),
            ("content.xml", "<c/>"),
        ]);
        assert_eq!(identify("notes.odt", &odt), Ok(FileType::Odt));
        assert_eq!(
            identify(
                "figures.csv",
                "\u{feff}Agency,Referrals\nPolice,12\n".as_bytes()
            ),
            Ok(FileType::Csv)
        );
    }

    #[test]
    fn files_that_lie_about_their_type_are_refused() {
        let docx = zip_of(&[
            ("[Content_Types].xml", "<x/>"),
            ("word/document.xml", "<w/>"),
        ]);
        // A Word document named as a PDF, and a spreadsheet named as a Word document.
        assert!(identify("minutes.pdf", &docx).is_err());
        let xlsx = zip_of(&[("[Content_Types].xml", "<x/>"), ("xl/workbook.xml", "<w/>")]);
        assert!(identify("paper.docx", &xlsx).is_err());
        // A program renamed as a CSV; an HTML page renamed as a PDF; an ODS renamed as ODT.
        assert!(identify("data.csv", b"MZ\x90\x00\x03\x00\x00\x00").is_err());
        assert!(identify("report.pdf", b"<html><script>alert(1)</script></html>").is_err());
        let ods = zip_of(&[
            ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
            ("content.xml", "<c/>"),
        ]);
        assert!(identify("notes.odt", &ods).is_err());
        // A PDF cut short, and a type that is not accepted at all.
        assert!(identify("cut.pdf", b"%PDF-1.7\n1 0 obj").is_err());
        assert_eq!(
            identify("run.exe", b"MZ"),
            Err(format!("The selected file must be {ACCEPTED}"))
        );
        assert!(identify("noextension", b"a,b").is_err());
    }
}
