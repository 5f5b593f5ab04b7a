//! Versioned migrations, one set for both engines. Each `NNNN_name.sql` in `migrations/` is
//! written once with a few tokens for the types the engines spell differently; an optional
//! `NNNN_name.sqlite.sql` or `NNNN_name.postgres.sql` beside it adds what only one engine has
//! (triggers, for instance).

use chrono::Utc;

use super::db::{Db, Engine, StoreResult};
use crate::args;

struct Migration {
    version: i64,
    name: &'static str,
    common: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "platform",
        common: include_str!("../../migrations/0001_platform.sql"),
        sqlite: include_str!("../../migrations/0001_platform.sqlite.sql"),
        postgres: include_str!("../../migrations/0001_platform.postgres.sql"),
    },
    Migration {
        version: 2,
        name: "arrangements",
        common: include_str!("../../migrations/0002_arrangements.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 3,
        name: "meetings",
        common: include_str!("../../migrations/0003_meetings.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 4,
        name: "papers",
        common: include_str!("../../migrations/0004_papers.sql"),
        sqlite: include_str!("../../migrations/0004_papers.sqlite.sql"),
        postgres: include_str!("../../migrations/0004_papers.postgres.sql"),
    },
    Migration {
        version: 5,
        name: "reviews",
        common: include_str!("../../migrations/0005_reviews.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 6,
        name: "cases",
        common: include_str!("../../migrations/0006_cases.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 7,
        name: "case work",
        common: include_str!("../../migrations/0007_case_work.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 8,
        name: "learning",
        common: include_str!("../../migrations/0008_learning.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 9,
        name: "assurance",
        common: include_str!("../../migrations/0009_assurance.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 10,
        name: "security",
        common: include_str!("../../migrations/0010_security.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 11,
        name: "layers",
        common: include_str!("../../migrations/0011_layers.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 12,
        name: "attachments",
        common: include_str!("../../migrations/0012_attachments.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 13,
        name: "action owners",
        common: include_str!("../../migrations/0013_action_owners.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 14,
        name: "file pages",
        common: include_str!("../../migrations/0014_file_pages.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 15,
        name: "thresholds",
        common: include_str!("../../migrations/0015_thresholds.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 16,
        name: "procedures",
        common: include_str!("../../migrations/0016_procedures.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 17,
        name: "arrangements_two",
        common: include_str!("../../migrations/0017_arrangements_two.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 18,
        name: "scorecard",
        common: include_str!("../../migrations/0018_scorecard.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 19,
        name: "scorecard_imports",
        common: include_str!("../../migrations/0019_scorecard_imports.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 20,
        name: "training",
        common: include_str!("../../migrations/0020_training.sql"),
        sqlite: "",
        postgres: "",
    },
];

/// The statement text for one engine.
fn render(m: &Migration, engine: Engine) -> String {
    let (id, ts, date, extra) = match engine {
        Engine::Sqlite => (
            "INTEGER PRIMARY KEY AUTOINCREMENT",
            "TEXT",
            "TEXT",
            m.sqlite,
        ),
        Engine::Postgres => ("BIGSERIAL PRIMARY KEY", "TIMESTAMPTZ", "DATE", m.postgres),
    };
    let mut sql = m
        .common
        .replace("{id}", id)
        .replace("{ts}", ts)
        .replace("{date}", date);
    sql.push('\n');
    sql.push_str(extra);
    sql
}

/// A digest of every migration this build knows, for telling whether a database migrated by
/// another build (a test template, say) has the same schema.
pub fn fingerprint() -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for m in MIGRATIONS {
        h.update(m.version.to_le_bytes());
        for part in [m.common, m.sqlite, m.postgres] {
            h.update(part.as_bytes());
            h.update([0]);
        }
    }
    hex::encode(&h.finalize()[..6])
}

/// The newest version this build knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// Apply every migration not yet applied, each in its own transaction. Returns the versions
/// applied. Safe to run from several instances at once on PostgreSQL (an advisory lock).
pub async fn migrate(db: &Db) -> StoreResult<Vec<i64>> {
    db.execute_script(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            .to_owned(),
    )
    .await?;
    let mut applied = Vec::new();
    for m in MIGRATIONS {
        let mut tx = db.begin().await?;
        if db.engine() == Engine::Postgres {
            tx.execute("SELECT pg_advisory_xact_lock(4242001)", args![])
                .await?;
        }
        let done = tx
            .fetch_optional(
                "SELECT version FROM schema_migrations WHERE version = $1",
                args![m.version],
            )
            .await?
            .is_some();
        if done {
            tx.commit().await?;
            continue;
        }
        let sql = render(m, db.engine());
        tx.execute_script(sql).await?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            args![m.version, m.name, super::db::ts_text(Utc::now())],
        )
        .await?;
        tx.commit().await?;
        applied.push(m.version);
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_replaced_for_each_engine() {
        for m in MIGRATIONS {
            for e in [Engine::Sqlite, Engine::Postgres] {
                let sql = render(m, e);
                assert!(!sql.contains("{id}") && !sql.contains("{ts}") && !sql.contains("{date}"));
            }
        }
        assert!(render(&MIGRATIONS[0], Engine::Postgres).contains("TIMESTAMPTZ"));
        assert!(render(&MIGRATIONS[0], Engine::Sqlite).contains("AUTOINCREMENT"));
    }

    #[test]
    fn versions_increase() {
        assert!(MIGRATIONS.windows(2).all(|w| w[0].version < w[1].version));
    }
}
