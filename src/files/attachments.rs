//! Files attached to a record as its evidence: an action's, an assurance answer's, and those of
//! every capability after them. One table (`attachments`) says which file belongs to which
//! record; a capability names its record type once ([`Attachments`]) and checks, before
//! serving a file, that the person may see the record it is attached to.

use serde::Serialize;

use super::{FileType, Files, StoredFile, file_of};
use crate::args;
use crate::store::{Db, PartnershipId, Row, Sql, Statement, StoreResult, Tx};

/// A checked file to keep: its clean name, its type by content, its bytes.
pub type Checked = (String, FileType, Vec<u8>);

/// A file attached to a record.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Attachment {
    pub id: i64,
    /// The record it is attached to (an action's id, an answer's id).
    pub record_id: i64,
    /// What the person who attached it said it shows; may be empty.
    pub description: String,
    pub file: StoredFile,
}

/// The attachments of one kind of record, named by its record type in the audit trail
/// ("action", "assurance-answer").
#[derive(Clone, Copy, Debug)]
pub struct Attachments {
    pub record_type: &'static str,
}

const COLUMNS: &str = "a.id AS attachment_id, a.record_id, a.description, f.id, f.file_name, f.media_type, f.size_bytes, f.page_count, f.sha256, f.created_at, f.created_by FROM attachments a JOIN files f ON f.id = a.file_id";

fn attachment_of(r: &Row) -> StoreResult<Attachment> {
    Ok(Attachment {
        id: r.get("attachment_id")?,
        record_id: r.get("record_id")?,
        description: r.get("description")?,
        file: file_of(r)?,
    })
}

impl Attachments {
    pub const fn of(record_type: &'static str) -> Attachments {
        Attachments { record_type }
    }

    /// The files attached to these records, oldest first.
    pub async fn list(
        &self,
        db: &Db,
        p: PartnershipId,
        record_ids: &[i64],
    ) -> StoreResult<Vec<Attachment>> {
        if record_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = Statement::new("SELECT ", vec![]);
        q.push(COLUMNS)
            .push(" WHERE a.partnership_id = ")
            .bind(p)
            .push(" AND a.record_type = ")
            .bind(self.record_type)
            .push(" AND a.record_id IN (")
            .bind_list(record_ids.iter().copied())
            .push(") ORDER BY a.id");
        let (sql, values) = q.parts();
        db.fetch_all(sql, values)
            .await?
            .iter()
            .map(attachment_of)
            .collect()
    }

    /// One attachment of this kind of record, within the partnership.
    pub async fn find(
        &self,
        db: &Db,
        p: PartnershipId,
        id: i64,
    ) -> StoreResult<Option<Attachment>> {
        db.fetch_optional(
            Sql::join(&[
                "SELECT ",
                COLUMNS,
                " WHERE a.partnership_id = $1 AND a.record_type = $2 AND a.id = $3",
            ]),
            args![p, self.record_type, id],
        )
        .await?
        .as_ref()
        .map(attachment_of)
        .transpose()
    }

    /// Keep a checked file and attach it to a record, in the caller's transaction (so that
    /// the file, the attachment and the change they belong to are one audited write).
    /// `summary` is the audit trail's line ("Evidence added to the action ...").
    #[allow(clippy::too_many_arguments)]
    pub async fn attach(
        &self,
        tx: &mut Tx<'_>,
        files: &Files,
        p: PartnershipId,
        record_id: i64,
        description: &str,
        (name, kind, bytes): Checked,
        summary: &str,
    ) -> StoreResult<Attachment> {
        let file = files.put(tx, p, &name, kind, bytes).await?;
        let now = tx.now();
        let by = tx.actor().name.clone();
        let id = tx
            .insert(
                "INSERT INTO attachments (partnership_id, record_type, record_id, file_id, description, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                args![p, self.record_type, record_id, file.id, description, now, by.as_str()],
                Some(p),
                "attachment",
                &format!("{summary}: {}", file.name),
                &serde_json::json!({"record_type": self.record_type, "record_id": record_id, "file": file, "description": description}),
            )
            .await?;
        Ok(Attachment {
            id,
            record_id,
            description: description.to_owned(),
            file,
        })
    }
}
