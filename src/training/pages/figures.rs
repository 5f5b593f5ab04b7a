//! The figures for a period: the page, CSV and XLSX.

use super::*;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PeriodQuery {
    from: String,
    to: String,
}

/// The year a report covers by default: 1 April to 31 March, the one today falls in.
pub(in crate::training) fn this_year(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    use chrono::Datelike;
    let start_year = if today.month() >= 4 {
        today.year()
    } else {
        today.year() - 1
    };
    let from = NaiveDate::from_ymd_opt(start_year, 4, 1).unwrap_or(today);
    let to = NaiveDate::from_ymd_opt(start_year + 1, 3, 31).unwrap_or(today);
    (from, to)
}

/// The period asked for, or this year; a day that is not one is said so and this year used.
fn period(q: &PeriodQuery, errors: &mut Errors) -> (NaiveDate, NaiveDate) {
    let (from0, to0) = this_year(today());
    let from = errors.date("from", "From", &q.from).unwrap_or(from0);
    let to = errors.date("to", "To", &q.to).unwrap_or(to0);
    if to < from {
        errors.add("to", "The end of the period must be on or after its start");
        return (from0, to0);
    }
    (from, to)
}

#[derive(Template, WebTemplate)]
#[template(path = "training/figures.html")]
pub struct FiguresPage {
    page: Page,
    f: crate::training::figures::Figures,
    from: NaiveDate,
    to: NaiveDate,
    q: PeriodQuery,
    query: String,
    errors: Errors,
}

/// The training figures for any period, as the yearly report gives them.
pub async fn figures(
    Ctx { st, viewer, p }: Ctx,
    crate::web::forms::QueryData(q): crate::web::forms::QueryData<PeriodQuery>,
) -> AppResult<Response> {
    let mut errors = Errors::default();
    let (from, to) = period(&q, &mut errors);
    let (held, places) = store::figures_in(&st.db, p, from, to).await?;
    let q = if errors.is_empty() {
        PeriodQuery {
            from: from.format("%Y-%m-%d").to_string(),
            to: to.format("%Y-%m-%d").to_string(),
        }
    } else {
        q
    };
    let page = FiguresPage {
        page: Page::new(&viewer, "Training figures", "/training"),
        f: crate::training::figures::figures(&held, &places),
        query: format!(
            "from={}&to={}",
            from.format("%Y-%m-%d"),
            to.format("%Y-%m-%d")
        ),
        from,
        to,
        q,
        errors,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, page).into_response())
}

fn figures_table(
    f: &crate::training::figures::Figures,
    from: NaiveDate,
    to: NaiveDate,
) -> crate::web::export::Table {
    use crate::web::export::Cell;
    let n = |v: i64| Cell::Number(v as f64);
    let pct = |v: Option<f64>| v.map_or(Cell::Empty, Cell::Number);
    let mut rows = vec![vec![
        Cell::from("Total"),
        Cell::from(""),
        n(f.sessions),
        Cell::Number(f.training_days),
        n(f.places_offered),
        n(f.places_booked),
        n(f.attended),
        n(f.did_not_attend),
        pct(f.did_not_attend_share()),
        n(f.cancelled),
        n(f.cancelled_late),
        n(f.walk_ins),
        n(f.practitioners),
        pct(crate::training::figures::share(
            f.attended,
            f.places_offered,
        )),
    ]];
    for (part, lines) in [
        ("Course", &f.by_course),
        ("Organisation", &f.by_organisation),
    ] {
        for (name, l) in lines {
            rows.push(vec![
                Cell::from(part),
                Cell::from(name.as_str()),
                if part == "Course" {
                    n(l.sessions)
                } else {
                    Cell::Empty
                },
                Cell::Empty,
                if part == "Course" {
                    n(l.capacity)
                } else {
                    Cell::Empty
                },
                n(l.booked),
                n(l.attended),
                n(l.did_not_attend),
                pct(crate::training::figures::share(l.did_not_attend, l.booked)),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                n(l.practitioners),
                if part == "Course" {
                    pct(l.attendance_share())
                } else {
                    Cell::Empty
                },
            ]);
        }
    }
    crate::web::export::Table {
        name: format!(
            "training-figures-{}-to-{}",
            from.format("%Y-%m-%d"),
            to.format("%Y-%m-%d")
        ),
        headers: vec![
            "Part",
            "Name",
            "Sessions",
            "Training days",
            "Places offered",
            "Places booked",
            "Attended",
            "Did not attend",
            "Did not attend (%)",
            "Cancelled",
            "Cancelled late",
            "Walk-ins",
            "Practitioners",
            "Attended against places (%)",
        ],
        rows,
    }
}

async fn figures_export(
    st: &AppState,
    p: PartnershipId,
    q: &PeriodQuery,
) -> AppResult<crate::web::export::Table> {
    let mut errors = Errors::default();
    let (from, to) = period(q, &mut errors);
    if let Some((_, m)) = errors.list().first() {
        return Err(AppError::BadRequest(m.clone()));
    }
    let (held, places) = store::figures_in(&st.db, p, from, to).await?;
    Ok(figures_table(
        &crate::training::figures::figures(&held, &places),
        from,
        to,
    ))
}

pub async fn figures_csv(
    Ctx { st, p, .. }: Ctx,
    crate::web::forms::QueryData(q): crate::web::forms::QueryData<PeriodQuery>,
) -> AppResult<Response> {
    crate::web::export::csv(&figures_export(&st, p, &q).await?)
}

pub async fn figures_xlsx(
    Ctx { st, p, .. }: Ctx,
    crate::web::forms::QueryData(q): crate::web::forms::QueryData<PeriodQuery>,
) -> AppResult<Response> {
    crate::web::export::xlsx(&figures_export(&st, p, &q).await?)
}
