//! The storage layer: every uploaded file (a meeting paper, an action's evidence) is checked by
//! its content, kept through one object store (files on local disk by default, S3-compatible
//! object storage for hosted deployments) and recorded in the `files` table, so the database
//! says what exists and who may have it.

pub mod attachments;
pub mod kinds;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use attachments::{Attachment, Attachments, Checked};
pub use kinds::{FileType, identify};

use crate::args;
use crate::store::{Db, PartnershipId, Row, StoreError, StoreResult, Tx};

/// The SHA-256 of some bytes in hex: how a file (an upload, an import, a kept document) is
/// identified in the audit trail without keeping it there.
pub fn digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Where files are kept, and how large one may be.
#[derive(Clone)]
pub struct Files {
    store: Arc<dyn ObjectStore>,
    /// The largest file accepted, in bytes.
    pub limit: usize,
    /// Where they are, for the health of the instance and the logs (never a secret).
    pub location: String,
}

impl std::fmt::Debug for Files {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Files({})", self.location)
    }
}

impl Files {
    /// Files under a local folder (made when missing).
    pub fn local(dir: &std::path::Path, limit: usize) -> Result<Files, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot make the files folder {}: {e}", dir.display()))?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(dir)
            .map_err(|e| format!("cannot use the files folder {}: {e}", dir.display()))?;
        Ok(Files {
            store: Arc::new(store),
            limit,
            location: dir.display().to_string(),
        })
    }

    /// Files in an S3-compatible bucket, `s3://bucket/optional/prefix`; credentials, region and
    /// endpoint (for MinIO, Ceph and the like) come from the usual `AWS_*` variables.
    pub fn s3(url: &str, limit: usize) -> Result<Files, String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("files_url {url}: {e}"))?;
        let store = object_store::aws::AmazonS3Builder::from_env()
            .with_url(format!(
                "s3://{}",
                parsed.host_str().ok_or("files_url needs a bucket")?
            ))
            .build()
            .map_err(|e| format!("files_url {url}: {e}"))?;
        let prefix = parsed.path().trim_matches('/').to_owned();
        let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(store)
        } else {
            Arc::new(object_store::prefix::PrefixStore::new(store, prefix))
        };
        Ok(Files {
            store,
            limit,
            location: url.to_owned(),
        })
    }

    /// The storage a setting names: `s3://...` or a local folder.
    pub fn from_setting(
        setting: Option<&str>,
        data_dir: &std::path::Path,
        limit: usize,
    ) -> Result<Files, String> {
        match setting {
            Some(u) if u.starts_with("s3://") => Files::s3(u, limit),
            Some(dir) if !dir.is_empty() => Files::local(
                std::path::Path::new(dir.trim_start_matches("file://")),
                limit,
            ),
            _ => Files::local(&data_dir.join("files"), limit),
        }
    }

    /// The limit as people read it ("20 MB").
    pub fn limit_text(&self) -> String {
        format!("{} MB", self.limit.div_ceil(1024 * 1024))
    }

    /// Check an upload: not empty, within the limit, and truly the type its name claims.
    pub fn check(&self, name: &str, bytes: &[u8]) -> Result<FileType, String> {
        if name.trim().is_empty() && bytes.is_empty() {
            return Err("Select a file".into());
        }
        if bytes.is_empty() {
            return Err("The selected file is empty".into());
        }
        if bytes.len() > self.limit {
            return Err(format!(
                "The selected file must be smaller than {}",
                self.limit_text()
            ));
        }
        identify(name, bytes)
    }

    /// Keep the bytes of a checked file, then record it in the caller's transaction. Should the
    /// transaction not commit, the object is left without a record and is never served.
    pub async fn put(
        &self,
        tx: &mut Tx<'_>,
        p: PartnershipId,
        name: &str,
        kind: FileType,
        bytes: Vec<u8>,
    ) -> StoreResult<StoredFile> {
        let key = format!("{}/{}", p.0, uuid::Uuid::new_v4());
        let sha256 = digest(&bytes);
        let size = bytes.len() as i64;
        // Counted apart from the request's thread, and a reader that fails or panics on a
        // malformed file only leaves the count unknown.
        let pages = if kind == FileType::Pdf {
            let copy = bytes.clone();
            tokio::task::spawn_blocking(move || pdf_pages(&copy))
                .await
                .ok()
                .flatten()
        } else {
            None
        };
        self.store
            .put(&ObjectPath::from(key.as_str()), PutPayload::from(bytes))
            .await
            .map_err(|e| StoreError::Files(format!("could not keep the file: {e}")))?;
        let file = StoredFile {
            id: 0,
            name: clean_name(name),
            media_type: kind.media_type().to_owned(),
            size,
            pages,
            sha256,
            created_at: tx.now(),
            created_by: tx.actor().name.clone(),
        };
        let now = tx.now();
        let by = tx.actor().name.clone();
        let id = tx
            .insert(
                "INSERT INTO files (partnership_id, storage_key, file_name, media_type, size_bytes, page_count, sha256, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                args![p, key.as_str(), file.name.as_str(), file.media_type.as_str(), size, pages, file.sha256.as_str(), now, by.as_str()],
                Some(p),
                "file",
                &format!("File stored: {}", file.name),
                &file,
            )
            .await?;
        Ok(StoredFile { id, ..file })
    }

    /// Send a stored file as a download (see [`download`]), or not found.
    pub async fn serve(
        &self,
        db: &Db,
        p: PartnershipId,
        id: i64,
    ) -> crate::web::error::AppResult<axum::response::Response> {
        let (file, bytes) = self
            .get(db, p, id)
            .await?
            .ok_or(crate::web::error::AppError::NotFound)?;
        Ok(download(&file, bytes))
    }

    /// A file's record and bytes, only within its partnership.
    pub async fn get(
        &self,
        db: &Db,
        p: PartnershipId,
        id: i64,
    ) -> StoreResult<Option<(StoredFile, Vec<u8>)>> {
        let Some(r) = db
            .fetch_optional(
                "SELECT id, storage_key, file_name, media_type, size_bytes, page_count, sha256, created_at, created_by FROM files WHERE partnership_id = $1 AND id = $2",
                args![p, id],
            )
            .await?
        else {
            return Ok(None);
        };
        let key: String = r.get("storage_key")?;
        let got = self
            .store
            .get(&ObjectPath::from(key.as_str()))
            .await
            .map_err(|e| StoreError::Files(format!("could not read the file: {e}")))?;
        let bytes = got
            .bytes()
            .await
            .map_err(|e| StoreError::Files(format!("could not read the file: {e}")))?;
        Ok(Some((file_of(&r)?, bytes.to_vec())))
    }
}

/// A form sent as `multipart/form-data`: its text fields and its files (most forms take one).
#[derive(Debug, Default)]
pub struct Upload {
    pub fields: std::collections::HashMap<String, String>,
    /// The file's name and bytes, when one was chosen.
    pub file: Option<(String, Vec<u8>)>,
    /// Any further files chosen (an input with `multiple`), in the order sent.
    pub more: Vec<(String, Vec<u8>)>,
    /// The files were larger than the limit together (and were not read to their end).
    pub too_large: bool,
}

impl Upload {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    /// The file, checked: `Err` says what is wrong in the words of the design system.
    pub fn checked(&self, files: &Files) -> Result<Checked, String> {
        if self.too_large {
            return Err(format!(
                "The selected file must be smaller than {}",
                files.limit_text()
            ));
        }
        let (name, bytes) = self.file.clone().unwrap_or_default();
        let kind = files.check(&name, &bytes)?;
        Ok((clean_name(&name), kind, bytes))
    }

    /// Read a multipart form, stopping at the first file larger than `limit` bytes. Text fields
    /// are small (at most 64 KB each, 40 of them); anything else is a broken form.
    pub async fn read(
        form: axum::extract::Multipart,
        limit: usize,
    ) -> Result<Upload, crate::web::error::AppError> {
        let mut up = Self::read_parts(form, limit).await?;
        // A date's three boxes become one field, as in every other form.
        let fields = std::mem::take(&mut up.fields).into_iter().collect();
        up.fields = crate::web::forms::fold_dates(fields).into_iter().collect();
        Ok(up)
    }

    async fn read_parts(
        mut form: axum::extract::Multipart,
        limit: usize,
    ) -> Result<Upload, crate::web::error::AppError> {
        let unreadable = || {
            crate::web::error::AppError::BadRequest(
                "The upload could not be read. Go back and try again.".into(),
            )
        };
        let mut up = Upload::default();
        // The limit is on every file together.
        let mut read = 0usize;
        loop {
            let field = match form.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                // The request outgrew the limit on bodies: only a file can do that.
                Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                    up.too_large = true;
                    break;
                }
                Err(_) => return Err(unreadable()),
            };
            let name = field.name().unwrap_or("").to_owned();
            if let Some(file_name) = field.file_name().map(str::to_owned) {
                let mut field = field;
                let mut bytes = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(c)) => {
                            if read + bytes.len() + c.len() > limit {
                                up.too_large = true;
                                return Ok(up);
                            }
                            bytes.extend_from_slice(&c);
                        }
                        Ok(None) => break,
                        Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                            up.too_large = true;
                            return Ok(up);
                        }
                        Err(_) => return Err(unreadable()),
                    }
                }
                if !(file_name.is_empty() && bytes.is_empty()) {
                    read += bytes.len();
                    if up.file.is_none() {
                        up.file = Some((file_name, bytes));
                    } else {
                        up.more.push((file_name, bytes));
                    }
                }
            } else {
                let text = field.text().await.map_err(|_| unreadable())?;
                if text.len() > 64 * 1024 || up.fields.len() >= 40 {
                    return Err(unreadable());
                }
                up.fields.insert(name, text);
            }
        }
        Ok(up)
    }
}

/// A file as recorded.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct StoredFile {
    pub id: i64,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    /// A PDF's pages, counted when it was kept; none for other files or when unknown.
    pub pages: Option<i64>,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

impl StoredFile {
    /// The size as people read it: "340 KB", "2.1 MB".
    pub fn size_text(&self) -> String {
        size_text(self.size)
    }

    /// What people want to know before they open it: "PDF, 240 KB, 12 pages".
    pub fn facts(&self) -> String {
        let mut out = FileType::of_media_type(&self.media_type)
            .map_or_else(|| "File".to_owned(), |k| k.label().to_owned());
        out.push_str(", ");
        out.push_str(&self.size_text());
        if let Some(n) = self.pages {
            out.push_str(&format!(", {n} page{}", if n == 1 { "" } else { "s" }));
        }
        out
    }
}

/// How many pages a PDF has; none when it cannot be read (or has none).
pub fn pdf_pages(bytes: &[u8]) -> Option<i64> {
    let n = hayro_syntax::Pdf::new(bytes.to_vec()).ok()?.pages().len();
    i64::try_from(n).ok().filter(|n| *n > 0)
}

pub fn size_text(bytes: i64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KB", (bytes + 1023) / 1024)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

/// What is known of a stored file, without reading its bytes; only within its partnership.
pub async fn record(db: &Db, p: PartnershipId, id: i64) -> StoreResult<Option<StoredFile>> {
    db.fetch_optional(
        "SELECT id, file_name, media_type, size_bytes, page_count, sha256, created_at, created_by FROM files WHERE partnership_id = $1 AND id = $2",
        args![p, id],
    )
    .await?
    .as_ref()
    .map(file_of)
    .transpose()
}

pub fn file_of(r: &Row) -> StoreResult<StoredFile> {
    Ok(StoredFile {
        id: r.get("id")?,
        name: r.get("file_name")?,
        media_type: r.get("media_type")?,
        size: r.get("size_bytes")?,
        pages: r.get("page_count")?,
        sha256: r.get("sha256")?,
        created_at: r.get("created_at")?,
        created_by: r.get("created_by")?,
    })
}

/// The name kept for a file: its last path part, without control characters or the invisible
/// characters that change the direction of text (U+202E would show `report\u{202E}fdp.exe` as
/// `reportexe.pdf`), at most 200 characters, so it is safe in a page and a download's header.
pub fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && *c != '"' && !crate::web::forms::invisible(*c))
        .take(200)
        .collect();
    let cleaned = cleaned.trim().to_owned();
    if cleaned.is_empty() {
        "file".into()
    } else {
        cleaned
    }
}

/// A download of a stored file: its own type, as an attachment (never shown inline, so a
/// crafted file cannot run in masa's origin), and not kept by shared caches.
pub fn download(file: &StoredFile, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let ascii: String = file
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = url::form_urlencoded::byte_serialize(file.name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    (
        [
            (header::CONTENT_TYPE, file.media_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(media_type: &str, size: i64, pages: Option<i64>) -> StoredFile {
        StoredFile {
            id: 1,
            name: "x".into(),
            media_type: media_type.into(),
            size,
            pages,
            sha256: String::new(),
            created_at: Utc::now(),
            created_by: String::new(),
        }
    }

    #[test]
    fn a_files_facts_say_its_kind_size_and_pages() {
        let pdf = FileType::Pdf.media_type();
        assert_eq!(
            file(pdf, 240 * 1024, Some(12)).facts(),
            "PDF, 240 KB, 12 pages"
        );
        assert_eq!(file(pdf, 1000, Some(1)).facts(), "PDF, 1 KB, 1 page");
        // Not known (kept before pages were counted, or unreadable): only the size.
        assert_eq!(file(pdf, 3 * 1024 * 1024, None).facts(), "PDF, 3.0 MB");
        assert_eq!(
            file(FileType::Docx.media_type(), 2048, None).facts(),
            "DOCX, 2 KB"
        );
        assert_eq!(file("application/x-unknown", 1, None).facts(), "File, 1 KB");
    }

    #[test]
    fn a_broken_pdfs_pages_are_not_counted() {
        // (A real PDF's pages are counted in tests/it/public_site.rs.) Passes the check by content (a header and an end), but has no pages to count.
        assert_eq!(
            pdf_pages(b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"),
            None
        );
        assert_eq!(pdf_pages(b""), None);
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name("C:\\Users\\jo\\report.pdf"), "report.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("a\"b\u{0}c.csv"), "abc.csv");
        assert_eq!(clean_name("report\u{202E}fdp.exe"), "reportfdp.exe");
        assert_eq!(clean_name("\u{2067}minutes\u{200F}.pdf"), "minutes.pdf");
        assert_eq!(clean_name(""), "file");
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(size_text(1), "1 KB");
        assert_eq!(size_text(340 * 1024), "340 KB");
        assert_eq!(size_text(2_202_010), "2.1 MB");
    }

    #[test]
    fn the_setting_chooses_the_store() {
        let dir = tempfile::tempdir().expect("dir");
        let local = Files::from_setting(None, dir.path(), 10).expect("local");
        assert!(local.location.ends_with("files"));
        let s3 = Files::from_setting(Some("s3://masa-papers/plymouth"), dir.path(), 10)
            .expect("an S3 bucket with a prefix");
        assert_eq!(s3.location, "s3://masa-papers/plymouth");
        assert!(Files::from_setting(Some("s3://"), dir.path(), 10).is_err());
    }

    #[tokio::test]
    async fn local_files_round_trip_through_the_object_store() {
        let dir = tempfile::tempdir().expect("dir");
        let files = Files::local(dir.path(), 1024).expect("files");
        let path = ObjectPath::from("1/abc");
        files
            .store
            .put(&path, PutPayload::from(b"a,b\n".to_vec()))
            .await
            .expect("put");
        let back = files
            .store
            .get(&path)
            .await
            .expect("get")
            .bytes()
            .await
            .expect("bytes");
        assert_eq!(&back[..], b"a,b\n");
        assert!(dir.path().join("1").join("abc").exists(), "kept on disk");
    }

    #[test]
    fn uploads_are_checked_before_anything_is_kept() {
        let dir = tempfile::tempdir().expect("dir");
        let files = Files::local(dir.path(), 1024).expect("files");
        assert_eq!(files.check("", b""), Err("Select a file".into()));
        assert_eq!(
            files.check("a.csv", b""),
            Err("The selected file is empty".into())
        );
        assert_eq!(
            files.check("a.csv", &[b'a'; 2000]),
            Err("The selected file must be smaller than 1 MB".into())
        );
        assert_eq!(files.check("a.csv", b"a,b\n1,2\n"), Ok(FileType::Csv));
    }
}
