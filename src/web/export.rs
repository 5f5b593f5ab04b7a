//! Tables people take away as CSV or XLSX: one way to write them. CSV cells that could run as a
//! formula are defused; XLSX text is always written as text, dates as dates. Sent as private,
//! uncached attachments.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};

use crate::web::error::{AppError, AppResult};

pub enum Cell {
    Text(String),
    Date(NaiveDate),
    Number(f64),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<Option<NaiveDate>> for Cell {
    fn from(d: Option<NaiveDate>) -> Cell {
        d.map_or(Cell::Empty, Cell::Date)
    }
}

pub struct Table {
    /// The file's name without its extension, and the sheet's name.
    pub name: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

fn attachment(media_type: &'static str, file: String, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, media_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

/// A spreadsheet cell that cannot run as a formula when opened (OWASP CSV injection).
pub fn csv_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

pub fn csv(t: &Table) -> AppResult<Response> {
    let err = |e: csv::Error| AppError::Internal(e.to_string());
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&t.headers).map_err(err)?;
    for row in &t.rows {
        w.write_record(row.iter().map(|c| match c {
            Cell::Text(s) => csv_cell(s),
            Cell::Date(d) => d.format("%d/%m/%Y").to_string(),
            Cell::Number(n) => n.to_string(),
            Cell::Empty => String::new(),
        }))
        .map_err(err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(attachment(
        "text/csv; charset=utf-8",
        format!("{}.csv", t.name),
        bytes,
    ))
}

pub fn xlsx(t: &Table) -> AppResult<Response> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.to_string());
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    // A sheet's name is at most 31 characters.
    let sheet_name: String = t.name.chars().take(31).collect();
    sheet.set_name(&sheet_name).map_err(err)?;
    let bold = Format::new().set_bold().set_text_wrap();
    let date = Format::new().set_num_format("d mmmm yyyy");
    for (c, h) in t.headers.iter().enumerate() {
        let c = u16::try_from(c).map_err(|e| AppError::Internal(e.to_string()))?;
        sheet.write_with_format(0, c, *h, &bold).map_err(err)?;
        sheet.set_column_width(c, 22.0).map_err(err)?;
    }
    for (i, row) in t.rows.iter().enumerate() {
        let r = u32::try_from(i + 1).map_err(|e| AppError::Internal(e.to_string()))?;
        for (c, cell) in row.iter().enumerate() {
            let c = u16::try_from(c).map_err(|e| AppError::Internal(e.to_string()))?;
            match cell {
                Cell::Text(s) => {
                    sheet.write_string(r, c, s).map_err(err)?;
                }
                Cell::Date(d) => {
                    let x = ExcelDateTime::from_ymd(
                        u16::try_from(d.year()).unwrap_or(1900),
                        u8::try_from(d.month()).unwrap_or(1),
                        u8::try_from(d.day()).unwrap_or(1),
                    )
                    .map_err(err)?;
                    sheet
                        .write_datetime_with_format(r, c, &x, &date)
                        .map_err(err)?;
                }
                Cell::Number(n) => {
                    sheet.write_number(r, c, *n).map_err(err)?;
                }
                Cell::Empty => {}
            }
        }
    }
    let bytes = book.save_to_buffer().map_err(err)?;
    Ok(attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        format!("{}.xlsx", t.name),
        bytes,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("Child C"), "Child C");
    }
}
