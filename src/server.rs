//! Running the server: open the database (migrating it), start mail delivery and housekeeping,
//! serve until SIGTERM or Ctrl-C, then finish the requests in flight.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::app::router;
use crate::config::Config;
use crate::mail::Mailer;
use crate::state::AppState;
use crate::store::{Db, DbOptions, migrate::migrate};

/// Open the configured database and bring it up to date.
pub async fn open(config: &Config, create_if_missing: bool) -> anyhow::Result<Db> {
    let db = Db::connect(&DbOptions {
        url: config.database_url.clone(),
        create_if_missing,
        // SQLite runs each connection on its own thread: a few are enough on a small server.
        max_connections: if config.database_url.starts_with("sqlite:") {
            8
        } else {
            16
        },
    })
    .await?;
    let applied = migrate(&db).await?;
    if !applied.is_empty() {
        tracing::info!(?applied, "database migrated");
    }
    Ok(db)
}

pub fn state(config: Config, db: Db) -> anyhow::Result<AppState> {
    let secrets =
        crate::store::sealed::Sealer::load(config.secret_key.as_deref(), &config.data_dir)
            .map_err(anyhow::Error::msg)?;
    let mailer = Mailer::new(
        config.smtp_url.as_deref(),
        &config.mail_from,
        secrets.clone(),
    )
    .map_err(anyhow::Error::msg)?;
    let files = crate::files::Files::from_setting(
        config.files_url.as_deref(),
        &config.data_dir,
        config.upload_limit_mb * 1024 * 1024,
    )
    .map_err(anyhow::Error::msg)?;
    Ok(AppState {
        db,
        config: Arc::new(config),
        mailer,
        files,
        secrets,
        public_pages: Default::default(),
        memo: Default::default(),
    })
}

/// Every background job, in one place; each capability exports its own. Each runs on every
/// instance: their writes are idempotent (a reminder is sent once per step and date, claimed in
/// the database), so a host's several instances do not repeat one another.
fn spawn_jobs(state: &AppState) {
    every(state, "housekeeping", 600, false, |st| async move {
        crate::web::session::purge_expired(&st.db).await?;
        crate::mail::expire_links(&st.db).await?;
        Ok(())
    });
    every(
        state,
        "meetings: reminders and overdue actions",
        3600,
        true,
        |st| async move { crate::meetings::people::hourly(&st).await },
    );
    every(
        state,
        "serious cases: reminders",
        3600,
        true,
        |st| async move { crate::reviews::reminders::hourly(&st).await },
    );
    every(
        state,
        "procedures: review reminders and change notices",
        3600,
        true,
        |st| async move { crate::procedures::hourly(&st).await },
    );
    every(
        state,
        "scorecard: late figures chased",
        3600,
        true,
        |st| async move { crate::scorecard::hourly(&st).await },
    );
    every(
        state,
        "training: offers of freed places passed on",
        // An offer for a session starting soon may hold its place for only an hour.
        600,
        true,
        |st| async move { crate::training::hourly(&st).await },
    );
}

/// Run a job every `seconds` (first at once when `now`), logging a failure and trying again
/// next time.
fn every<F, Fut>(state: &AppState, name: &'static str, seconds: u64, now: bool, job: F)
where
    F: Fn(AppState) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = crate::web::error::AppResult<()>> + Send,
{
    let st = state.clone();
    tokio::spawn(async move {
        if !now {
            tokio::time::sleep(Duration::from_secs(seconds)).await;
        }
        loop {
            if let Err(e) = job(st.clone()).await {
                tracing::warn!(job = name, error = %e, "background job failed; will try again");
            }
            tokio::time::sleep(Duration::from_secs(seconds)).await;
        }
    });
}

/// Serve until told to stop.
pub async fn serve(state: AppState) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(state.config.listen)
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot listen on {}: {e} (set MASA_LISTEN to another address)",
                state.config.listen
            )
        })?;
    // Authenticator keys stored before they were sealed are sealed now.
    let sealed = crate::accounts::store::seal_stored_keys(&state.db, &state.secrets).await?;
    if sealed > 0 {
        tracing::info!(accounts = sealed, "authenticator keys sealed");
    }
    state.mailer.spawn_worker(state.db.clone());
    spawn_jobs(&state);
    tracing::info!(address = %state.config.listen, "masa is listening");
    let db = state.db.clone();
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("stopped: requests in flight finished");
    db.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
