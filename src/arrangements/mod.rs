//! Arrangements: a partnership's structure over time (areas, partners, organisations, posts,
//! bodies, memberships, rules) and its published text, kept as a file that people can read and
//! edit (docs/arrangements-format.md), checked line by line.

pub mod api;
mod file_text;
mod forms;
pub mod model;
mod pages;
mod pdf;
pub mod store;
pub mod upgrade;
pub mod view;

use crate::state::Route;
use crate::web::permissions::Permission;

/// What the arrangements ask of the business unit on their home page: to arrange the handover
/// of a rotating chair that passes on soon (derived from the rule, so nobody need remember).
pub async fn tasks(
    st: &crate::state::AppState,
    viewer: &crate::web::viewer::Viewer,
    p: crate::store::PartnershipId,
) -> crate::web::error::AppResult<Vec<crate::web::tasks::Task>> {
    if !Permission::ManagePartnership.allows(viewer) {
        return Ok(Vec::new());
    }
    let t = crate::calendar::today();
    let Some(a) = store::load_as_at(&st.db, p, t).await? else {
        return Ok(Vec::new());
    };
    let cal = crate::calendar::store::current(&st.db).await?;
    let names = view::Names::new(&a.organisations, &a.posts);
    let mut out = Vec::new();
    for b in &a.bodies {
        let Some(turn) = b.chair.as_ref().and_then(|c| c.turn_on(t)) else {
            continue;
        };
        if !model::handover_near(turn.handover, t, &cal) {
            continue;
        }
        out.push(crate::web::tasks::Task::due(
            format!(
                "Arrange the handover of the {} chair from {} to {}",
                b.name,
                names.organisation(turn.organisation),
                names.organisation(turn.next)
            ),
            format!("/arrangements#body-{}", b.key),
            "Arrangements",
            turn.handover,
            (t, &cal, model::HANDOVER_AMBER_WORKING_DAYS),
        ));
    }
    Ok(out)
}

pub fn routes() -> Vec<Route> {
    vec![
        Route::get(
            "/p/{slug}/arrangements",
            Permission::Public,
            pages::published,
        ),
        Route::get("/p/{slug}/agencies", Permission::Public, pages::agencies),
        Route::get(
            "/p/{slug}/arrangements.pdf",
            Permission::Public,
            pages::published_pdf,
        ),
        Route::get("/arrangements", Permission::Partnership, pages::structure),
        Route::get(
            "/arrangements/reporting",
            Permission::Partnership,
            pages::reporting,
        ),
        Route::get(
            "/arrangements/questions",
            Permission::Partnership,
            pages::questions,
        ),
        Route::get(
            "/api/v1/arrangements",
            Permission::Partnership,
            api::structure,
        ),
        Route::get(
            "/api/v1/arrangements/agencies",
            Permission::Partnership,
            api::agencies,
        ),
        Route::get(
            "/api/v1/arrangements/reporting",
            Permission::Partnership,
            api::reporting,
        ),
        Route::get(
            "/api/v1/arrangements/gaps",
            Permission::Partnership,
            api::gaps,
        ),
        Route::get(
            "/api/v1/arrangements/ending",
            Permission::Partnership,
            api::ending,
        ),
        Route::get(
            "/api/v1/arrangements/changes",
            Permission::Partnership,
            api::changes,
        ),
        Route::get(
            "/admin/arrangements/bodies/new",
            Permission::ManagePartnership,
            forms::body_new,
        ),
        Route::post(
            "/admin/arrangements/bodies",
            Permission::ManagePartnership,
            forms::body_add,
        ),
        Route::get(
            "/admin/arrangements/organisations",
            Permission::ManagePartnership,
            forms::organisations,
        ),
        Route::post(
            "/admin/arrangements/organisations",
            Permission::ManagePartnership,
            forms::organisation_add,
        ),
        Route::get(
            "/admin/arrangements/organisations/new",
            Permission::ManagePartnership,
            forms::organisation_new,
        ),
        Route::get(
            "/admin/arrangements/organisations/{key}",
            Permission::ManagePartnership,
            forms::organisation_form,
        ),
        Route::post(
            "/admin/arrangements/organisations/{key}",
            Permission::ManagePartnership,
            forms::organisation_save,
        ),
        Route::get(
            "/admin/arrangements/posts",
            Permission::ManagePartnership,
            forms::posts,
        ),
        Route::post(
            "/admin/arrangements/posts",
            Permission::ManagePartnership,
            forms::post_add,
        ),
        Route::get(
            "/admin/arrangements/posts/new",
            Permission::ManagePartnership,
            forms::post_new,
        ),
        Route::get(
            "/admin/arrangements/posts/{key}",
            Permission::ManagePartnership,
            forms::post_form,
        ),
        Route::post(
            "/admin/arrangements/posts/{key}",
            Permission::ManagePartnership,
            forms::post_save,
        ),
        Route::get(
            "/admin/arrangements/sections",
            Permission::ManagePartnership,
            forms::sections_form,
        ),
        Route::post(
            "/admin/arrangements/sections",
            Permission::ManagePartnership,
            forms::sections_save,
        ),
        Route::get(
            "/admin/arrangements/partners",
            Permission::ManagePartnership,
            forms::partners,
        ),
        Route::get(
            "/admin/arrangements/additional-partners",
            Permission::ManagePartnership,
            forms::additional_partners,
        ),
        Route::get(
            "/admin/arrangements/additional-partner",
            Permission::ManagePartnership,
            forms::additional_partner_form,
        ),
        Route::post(
            "/admin/arrangements/additional-partner",
            Permission::ManagePartnership,
            forms::additional_partner_save,
        ),
        Route::get(
            "/admin/arrangements/partner",
            Permission::ManagePartnership,
            forms::partner_form,
        ),
        Route::post(
            "/admin/arrangements/partner",
            Permission::ManagePartnership,
            forms::partner_save,
        ),
        Route::get(
            "/admin/arrangements/bodies/{key}",
            Permission::ManagePartnership,
            forms::body_form,
        ),
        Route::post(
            "/admin/arrangements/bodies/{key}",
            Permission::ManagePartnership,
            forms::body_save,
        ),
        Route::get(
            "/admin/arrangements/memberships",
            Permission::ManagePartnership,
            pages::membership_form,
        ),
        Route::post(
            "/admin/arrangements/memberships/end",
            Permission::ManagePartnership,
            pages::membership_end,
        ),
        Route::post(
            "/admin/arrangements/memberships",
            Permission::ManagePartnership,
            pages::membership_add,
        ),
        Route::get(
            "/admin/arrangements/entry",
            Permission::ManagePartnership,
            pages::entry_form,
        ),
        Route::post(
            "/admin/arrangements/entry",
            Permission::ManagePartnership,
            pages::entry_save,
        ),
        Route::get(
            "/admin/arrangements",
            Permission::ManagePartnership,
            pages::admin,
        ),
        Route::post(
            "/admin/arrangements",
            Permission::ManagePartnership,
            pages::upload,
        ),
        Route::get(
            "/admin/arrangements/file",
            Permission::ReadAll,
            pages::download,
        ),
        Route::get(
            "/help/arrangements-file",
            Permission::Partnership,
            pages::format_guide,
        ),
    ]
}

/// `masa arrangements check FILE`: every problem, with its line. Returns the number of problems.
/// A `/1` file is checked as upgraded (its lines are those of the upgraded text), and what the
/// upgrade would change is said first.
pub fn check_file(path: &std::path::Path) -> Result<usize, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if let Some(up) = model::screen(&bytes).ok().and_then(upgrade::upgrade) {
        println!(
            "{}: this file is {}; masa reads it as {} after these changes (masa arrangements upgrade {} writes them):",
            path.display(),
            model::SCHEMA_1,
            model::SCHEMA,
            path.display()
        );
        for c in &up.changes {
            println!("  {c}");
        }
    }
    match model::parse(&bytes) {
        Ok(a) => {
            println!(
                "{}: fine ({} organisations, {} bodies, {} memberships)",
                path.display(),
                a.organisations.len(),
                a.bodies.len(),
                a.memberships.len()
            );
            Ok(0)
        }
        Err(problems) => {
            for p in &problems {
                println!("{}:{}: {}", path.display(), p.line, p.message);
            }
            Ok(problems.len())
        }
    }
}

/// `masa arrangements upgrade FILE`: write a `/1` file as `/2`, comments kept, only when the
/// upgraded file has no problems; the original stays beside it as `FILE.bak`. Returns what
/// changed (nothing for a file already `/2`).
pub fn upgrade_file(path: &std::path::Path) -> Result<Vec<String>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let text = model::screen(&bytes)
        .map_err(|p| format!("{}:{}: {}", path.display(), p.line, p.message))?;
    let Some(up) = upgrade::upgrade(text) else {
        return match model::parse(&bytes) {
            Ok(_) => Ok(Vec::new()),
            Err(ps) => Err(ps
                .iter()
                .map(|p| format!("{}:{}: {}", path.display(), p.line, p.message))
                .collect::<Vec<_>>()
                .join("\n")),
        };
    };
    if let Err(ps) = model::parse(up.text.as_bytes()) {
        return Err(format!(
            "{}\n{} problem(s) once upgraded: the file was not changed",
            ps.iter()
                .map(|p| format!("{}:{} (upgraded): {}", path.display(), p.line, p.message))
                .collect::<Vec<_>>()
                .join("\n"),
            ps.len()
        ));
    }
    let mut backup = path.as_os_str().to_owned();
    backup.push(".bak");
    std::fs::write(&backup, &bytes).map_err(|e| {
        format!(
            "cannot write {}: {e}",
            std::path::Path::new(&backup).display()
        )
    })?;
    std::fs::write(path, &up.text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(up.changes)
}
