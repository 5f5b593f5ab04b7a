//! The `masa` command.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::accounts::model::{Email, Role, parse_name};
use crate::config::Config;
use crate::store::Actor;

const SETTINGS: &str = "Settings come from environment variables, over an optional TOML file (--config), over defaults that need nothing:
  MASA_DATABASE_URL  sqlite://PATH (default: sqlite://masa-data/masa.sqlite) or postgres://USER@HOST/DB
  MASA_LISTEN        address to listen on (default 127.0.0.1:8080)
  MASA_DATA_DIR      where the SQLite database and files live (default ./masa-data)
  MASA_BASE_URL      the address people use, for links in emails (https:// turns on Secure cookies)
  MASA_SMTP_URL      smtp://host:port or smtps://user:pass@host (without it, mail stays in the outbox)
  MASA_MAIL_FROM     sender of emails (default \"masa <masa@localhost>\")
  MASA_TRUST_PROXY   true behind a load balancer: take the client address from X-Forwarded-For
  MASA_LOG_JSON      true for JSON log lines";

#[derive(Parser)]
#[command(name = "masa", version, about = "masa: the system a safeguarding children partnership runs on", after_help = SETTINGS)]
pub struct Cli {
    /// A TOML file of settings (keys as the variables without MASA_, in lower case).
    #[arg(long, global = true, env = "MASA_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve masa: migrate the database if needed, then answer requests until stopped (SIGTERM
    /// finishes the requests in flight first).
    Serve,
    /// Start a fresh demo: a new SQLite database in the data folder with three example
    /// partnerships and people in every role; prints the address and the demo sign-ins, then serves.
    Demo,
    /// Create the database if it does not exist and apply every migration it lacks.
    Migrate,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// A partnership's arrangements file (see docs/arrangements-format.md).
    Arrangements {
        #[command(subcommand)]
        command: ArrangementsCommand,
    },
    /// A partnership's thresholds document (see docs/thresholds-format.md).
    Thresholds {
        #[command(subcommand)]
        command: ThresholdsCommand,
    },
    /// A partnership's scorecard document (see docs/scorecard-format.md).
    Scorecard {
        #[command(subcommand)]
        command: ScorecardCommand,
    },
    /// Manage partnerships.
    Partnership {
        #[command(subcommand)]
        command: PartnershipCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Invite someone: prints the link they open to choose a password (also queued as an email).
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// system-admin, partnership-admin, scrutineer, member or practitioner.
        #[arg(long)]
        role: String,
        /// The partnership's short name (not needed for system-admin).
        #[arg(long)]
        partnership: Option<String>,
        /// Their organisation, such as "Plymouth City Council".
        #[arg(long, default_value = "")]
        organisation: String,
    },
}

#[derive(Subcommand)]
enum ArrangementsCommand {
    /// Check a file and report every problem with its line; changes nothing. A file of an
    /// earlier schema is checked as upgraded, and what the upgrade changes is listed.
    Check { file: PathBuf },
    /// Upgrade a file of an earlier schema to the current one in place (comments and layout
    /// kept), once it has no problems; the original is kept beside it as FILE.bak.
    Upgrade { file: PathBuf },
    /// Check a file and, only if it has no problems, store it: new entries are added, changed
    /// ones updated and removed ones deleted, each in the audit trail.
    Import { file: PathBuf },
    /// Write a partnership's arrangements file (to standard output, or --out FILE).
    Export {
        slug: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ThresholdsCommand {
    /// Check a file and report every problem with its line; changes nothing.
    Check { file: PathBuf },
    /// Check a file and, only if it has no problems, store it as a new draft edition of the
    /// partnership's document (signed off and published from the web).
    Import {
        /// The partnership's short name, such as plymouth.
        slug: String,
        file: PathBuf,
    },
    /// Write an edition as its file (the one in force, the newest if none, or --edition N) to
    /// standard output or --out FILE.
    Export {
        slug: String,
        #[arg(long)]
        edition: Option<i64>,
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ScorecardCommand {
    /// Check a file on its own and report every problem with its line; changes nothing. (On
    /// the web the file is also checked against the partnership's arrangements.)
    Check { file: PathBuf },
    /// Read a children in need census (XML): print the figures masa counts from it as JSON, or
    /// every problem with its file, line and field. Nothing is stored, and no child's details
    /// are printed.
    Census { file: PathBuf },
    /// Read an SSDA903 return's CSV tables (header.csv and episodes.csv at least, or a folder
    /// holding them): print the figures as JSON, or every problem. Nothing is stored.
    Lac {
        /// The last day of the return's year, such as 2026-03-31.
        #[arg(long)]
        year_ending: chrono::NaiveDate,
        /// Postcode districts inside the area, comma-separated (PL1,PL2,...,PL7,PL9).
        #[arg(long, value_delimiter = ',')]
        inside: Vec<String>,
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum PartnershipCommand {
    /// Add a partnership.
    Add {
        /// Short name for its web address, such as plymouth.
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
    },
}

/// A statutory return read: its figures as JSON, or every problem (and a failure).
fn returned<T: serde::Serialize>(
    read: Result<T, Vec<crate::scorecard::returns::ReturnProblem>>,
) -> anyhow::Result<()> {
    match read {
        Ok(figures) => {
            println!("{}", serde_json::to_string_pretty(&figures)?);
            Ok(())
        }
        Err(problems) => {
            for p in &problems {
                println!("{p}");
            }
            anyhow::bail!("{} problem(s): nothing was counted", problems.len())
        }
    }
}

/// What `check` says of a file: fine, or how many problems it printed.
fn checked(file: &std::path::Path, found: Result<usize, String>) -> anyhow::Result<()> {
    match found.map_err(anyhow::Error::msg)? {
        0 => Ok(()),
        n => anyhow::bail!(
            "{n} problem{} in {}",
            if n == 1 { "" } else { "s" },
            file.display()
        ),
    }
}

fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MASA_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into());
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        b.json().flatten_event(true).with_current_span(true).init();
    } else {
        b.compact().init();
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(|k| std::env::var(k).ok(), cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("masa: {e}");
            return ExitCode::from(2);
        }
    };
    init_logs(config.log_json);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("masa: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli.command, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("masa: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Arrangements {
            command: ArrangementsCommand::Import { file },
        } => {
            let bytes = std::fs::read(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let read = match crate::arrangements::model::read(&bytes) {
                Ok(r) => r,
                Err(problems) => {
                    for p in &problems {
                        println!("{}:{}: {}", file.display(), p.line, p.message);
                    }
                    anyhow::bail!(
                        "{} problem(s) in {}: nothing was imported",
                        problems.len(),
                        file.display()
                    );
                }
            };
            if !read.upgraded.is_empty() {
                println!(
                    "{}: upgraded to {} as it was imported (masa arrangements upgrade {} writes the file)",
                    file.display(),
                    crate::arrangements::model::SCHEMA,
                    file.display()
                );
            }
            let a = &read.arrangements;
            let db = crate::server::open(&config, false).await?;
            let actor = Actor::system("masa arrangements import");
            let (_, s) = crate::arrangements::store::import_file(&db, &actor, &read)
                .await
                .map_err(|e| anyhow::anyhow!(e.public_message()))?;
            println!(
                "imported {}: {} added, {} changed, {} removed, {} unchanged{}",
                a.partnership.slug,
                s.created,
                s.updated,
                s.deleted,
                s.unchanged,
                if s.partnership_created {
                    " (new partnership)"
                } else {
                    ""
                }
            );
            Ok(())
        }
        Command::Arrangements {
            command: ArrangementsCommand::Export { slug, out },
        } => {
            let db = crate::server::open(&config, false).await?;
            let p = crate::partnerships::store::by_slug(&db, &slug)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no partnership called {slug}"))?;
            let text = crate::arrangements::store::export(&db, crate::store::PartnershipId(p.id))
                .await
                .map_err(|e| {
                    anyhow::anyhow!(if matches!(e, crate::web::error::AppError::NotFound) {
                        format!("{slug} has no arrangements yet: import a file first")
                    } else {
                        e.public_message()
                    })
                })?;
            match out {
                Some(path) => std::fs::write(&path, text)
                    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
                None => print!("{text}"),
            }
            Ok(())
        }
        Command::Arrangements {
            command: ArrangementsCommand::Check { file },
        } => checked(&file, crate::arrangements::check_file(&file)),
        Command::Arrangements {
            command: ArrangementsCommand::Upgrade { file },
        } => {
            let changes = crate::arrangements::upgrade_file(&file).map_err(anyhow::Error::msg)?;
            if changes.is_empty() {
                println!(
                    "{}: already {}; nothing to do",
                    file.display(),
                    crate::arrangements::model::SCHEMA
                );
            } else {
                for c in &changes {
                    println!("{}: {c}", file.display());
                }
                println!(
                    "{}: upgraded to {} (the original is {}.bak)",
                    file.display(),
                    crate::arrangements::model::SCHEMA,
                    file.display()
                );
            }
            Ok(())
        }
        Command::Scorecard {
            command: ScorecardCommand::Check { file },
        } => checked(&file, crate::scorecard::check_file(&file)),
        Command::Scorecard {
            command: ScorecardCommand::Census { file },
        } => {
            use crate::scorecard::returns::{MAX_BYTES, cin, too_large};
            let opened = std::fs::File::open(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let len = opened.metadata().map(|m| m.len()).unwrap_or(0);
            // Read as it comes, never whole: a census of 60,000 children is 70 MB.
            returned(if len > MAX_BYTES as u64 {
                Err(vec![too_large(&name, len as usize, MAX_BYTES)])
            } else {
                cin::read_cin_from(&name, opened, MAX_BYTES as u64)
            })
        }
        Command::Scorecard {
            command:
                ScorecardCommand::Lac {
                    year_ending,
                    inside,
                    files,
                },
        } => {
            let mut tables = Vec::new();
            for f in files {
                let paths = if f.is_dir() {
                    let mut v: Vec<PathBuf> = std::fs::read_dir(&f)?
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| p.is_file())
                        .collect();
                    v.sort();
                    v
                } else {
                    vec![f]
                };
                for p in paths {
                    let bytes = std::fs::read(&p)
                        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", p.display()))?;
                    let name = p
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    tables.push((name, bytes));
                }
            }
            let rules = crate::scorecard::returns::Rules {
                inside_area: inside,
            };
            returned(crate::scorecard::returns::ssda903::read_903(
                &tables,
                year_ending,
                &rules,
            ))
        }
        Command::Thresholds {
            command: ThresholdsCommand::Check { file },
        } => checked(&file, crate::thresholds::check_file(&file)),
        Command::Thresholds {
            command: ThresholdsCommand::Import { slug, file },
        } => {
            let bytes = std::fs::read(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let d = match crate::thresholds::model::parse(&bytes) {
                Ok(d) => d,
                Err(problems) => {
                    for p in &problems {
                        println!("{}:{}: {}", file.display(), p.line, p.message);
                    }
                    anyhow::bail!(
                        "{} problem(s) in {}: nothing was imported",
                        problems.len(),
                        file.display()
                    );
                }
            };
            let db = crate::server::open(&config, false).await?;
            let p = crate::partnerships::store::by_slug(&db, &slug)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no partnership called {slug}"))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let (_, number) = crate::thresholds::store::add_edition(
                &db,
                &Actor::system("masa thresholds import"),
                crate::store::PartnershipId(p.id),
                &d,
                &format!("imported from {name}"),
            )
            .await?;
            println!(
                "imported {name} into {slug} as draft edition {number}: {} levels, {} domains, {} indicators",
                d.levels.len(),
                d.domains.len(),
                d.indicators.len()
            );
            Ok(())
        }
        Command::Thresholds {
            command: ThresholdsCommand::Export { slug, edition, out },
        } => {
            let db = crate::server::open(&config, false).await?;
            let p = crate::partnerships::store::by_slug(&db, &slug)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no partnership called {slug}"))?;
            let pid = crate::store::PartnershipId(p.id);
            let all = crate::thresholds::store::editions(&db, pid).await?;
            let (current, _) =
                crate::thresholds::store::in_force(&db, pid, crate::calendar::today()).await?;
            let e = match edition {
                Some(n) => all.into_iter().find(|e| e.number == n),
                None => current.or_else(|| all.into_iter().next()),
            }
            .ok_or_else(|| anyhow::anyhow!("{slug} has no such thresholds edition"))?;
            match out {
                Some(path) => std::fs::write(&path, &e.document)
                    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
                None => print!("{}", e.document),
            }
            Ok(())
        }
        Command::Serve => {
            let db = crate::server::open(&config, false).await?;
            crate::server::serve(crate::server::state(config, db)?).await
        }
        Command::Demo => crate::demo::run(config).await,
        Command::Migrate => {
            let db = crate::store::Db::connect(&crate::store::DbOptions {
                url: config.database_url.clone(),
                create_if_missing: true,
                max_connections: 2,
            })
            .await?;
            let applied = crate::store::migrate::migrate(&db).await?;
            println!(
                "database at version {} ({} migrations applied now)",
                crate::store::migrate::latest_version(),
                applied.len()
            );
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    name,
                    role,
                    partnership,
                    organisation,
                },
        } => {
            let db = crate::server::open(&config, false).await?;
            let state = crate::server::state(config, db)?;
            let email = Email::parse(&email).map_err(anyhow::Error::msg)?;
            let name = parse_name(&name).map_err(anyhow::Error::msg)?;
            let role = match role.as_str() {
                "system-admin" => None,
                r => Some(Role::parse(r).ok_or_else(|| anyhow::anyhow!("--role must be system-admin, partnership-admin, scrutineer, member or practitioner"))?),
            };
            let p = match (&role, partnership) {
                (None, _) => None,
                (Some(_), None) => anyhow::bail!("--partnership is needed for that role"),
                (Some(_), Some(slug)) => {
                    let p = crate::partnerships::store::by_slug(&state.db, &slug)
                        .await?
                        .ok_or_else(|| anyhow::anyhow!("no partnership called {slug}"))?;
                    Some((crate::store::PartnershipId(p.id), p.name))
                }
            };
            let actor = Actor::system("masa user add");
            let link = crate::accounts::invite(
                &state,
                &actor,
                p.as_ref().map(|(id, n)| (*id, n.as_str())),
                &email,
                &name,
                role,
                &organisation,
            )
            .await
            .map_err(|e| anyhow::anyhow!(e.public_message()))?;
            println!(
                "Invited {}. They choose a password at:\n{link}",
                email.as_str()
            );
            Ok(())
        }
        Command::Partnership {
            command: PartnershipCommand::Add { slug, name },
        } => {
            let db = crate::server::open(&config, false).await?;
            let slug = crate::partnerships::store::parse_slug(&slug).map_err(anyhow::Error::msg)?;
            let name = crate::partnerships::store::parse_partnership_name(&name)
                .map_err(anyhow::Error::msg)?;
            let actor = Actor::system("masa partnership add");
            let mut tx = crate::store::Tx::begin(&db, &actor).await?;
            crate::partnerships::store::create(&mut tx, &slug, &name)
                .await
                .map_err(|e| anyhow::anyhow!(e.public_message()))?;
            tx.commit().await?;
            println!("Added {name} at /p/{slug}");
            Ok(())
        }
    }
}
