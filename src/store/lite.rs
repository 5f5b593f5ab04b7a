//! SQLite through rusqlite: a small pool of connections used on the calling Tokio worker thread,
//! so a query costs no thread hand-off. Reads (and statements inside a transaction that already
//! holds the write lock) never wait for a lock in WAL mode and run inline, in microseconds;
//! anything that may wait for the write lock (`BEGIN IMMEDIATE`, a write outside a transaction)
//! runs under `block_in_place`, so a waiting writer cannot stall the runtime.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::types::Value as LiteValue;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::db::{Value, ts_text};

struct Inner {
    path: PathBuf,
    create: bool,
    idle: Mutex<Vec<Connection>>,
    slots: Arc<Semaphore>,
}

/// A pool of SQLite connections to one file.
#[derive(Clone)]
pub struct Pool(Arc<Inner>);

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "sqlite pool at {}", self.0.path.display())
    }
}

/// A connection borrowed from the pool; goes back when dropped (rolled back if a transaction
/// was left open).
pub struct Conn {
    conn: Option<Connection>,
    pool: Arc<Inner>,
    _slot: OwnedSemaphorePermit,
}

impl Drop for Conn {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            if !c.is_autocommit() && c.execute_batch("ROLLBACK").is_err() {
                return; // a connection in an unknown state is closed, not reused
            }
            if let Ok(mut idle) = self.pool.idle.lock() {
                idle.push(c);
            }
        }
    }
}

/// Run blocking SQLite work on this worker thread, letting Tokio move other tasks elsewhere.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

impl Pool {
    pub fn new(path: PathBuf, create: bool, size: u32) -> Pool {
        Pool(Arc::new(Inner {
            path,
            create,
            idle: Mutex::new(Vec::new()),
            slots: Arc::new(Semaphore::new(size.max(1) as usize)),
        }))
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        if self.0.create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let c = Connection::open_with_flags(&self.0.path, flags)?;
        c.busy_timeout(Duration::from_secs(10))?;
        c.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )?;
        c.set_prepared_statement_cache_capacity(128);
        Ok(c)
    }

    pub async fn get(&self) -> rusqlite::Result<Conn> {
        let slot = self
            .0
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| rusqlite::Error::InvalidQuery)?;
        let idle = self.0.idle.lock().ok().and_then(|mut v| v.pop());
        let conn = match idle {
            Some(c) => c,
            None => blocking(|| self.open())?,
        };
        Ok(Conn {
            conn: Some(conn),
            pool: self.0.clone(),
            _slot: slot,
        })
    }

    pub fn close(&self) {
        self.0.slots.close();
        if let Ok(mut v) = self.0.idle.lock() {
            v.clear();
        }
    }
}

/// One result row, owned.
pub struct LiteRow {
    columns: Arc<Vec<String>>,
    values: Vec<LiteValue>,
}

impl LiteRow {
    pub fn value(&self, column: &str) -> Result<&LiteValue, String> {
        self.columns
            .iter()
            .position(|c| c == column)
            .map(|i| &self.values[i])
            .ok_or_else(|| format!("no column {column}"))
    }
}

fn to_lite(v: Value) -> LiteValue {
    match v {
        Value::Null(_) => LiteValue::Null,
        Value::Int(i) => LiteValue::Integer(i),
        Value::Text(t) => LiteValue::Text(t),
        Value::Bool(b) => LiteValue::Integer(i64::from(b)),
        Value::Ts(t) => LiteValue::Text(ts_text(t)),
        Value::Date(d) => LiteValue::Text(d.format("%Y-%m-%d").to_string()),
        Value::Bytes(b) => LiteValue::Blob(b),
    }
}

impl Conn {
    fn c(&self) -> rusqlite::Result<&Connection> {
        self.conn.as_ref().ok_or(rusqlite::Error::InvalidQuery)
    }

    /// Prepare (cached), bind `$N` parameters by their number, and run `each` over the rows.
    fn run<T>(
        &self,
        sql: &str,
        args: Vec<Value>,
        each: impl FnOnce(&mut rusqlite::CachedStatement<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        let c = self.c()?;
        let mut stmt = c.prepare_cached(sql)?;
        let may_wait = !stmt.readonly() && c.is_autocommit();
        let mut args: Vec<Option<LiteValue>> = args.into_iter().map(|v| Some(to_lite(v))).collect();
        for i in 1..=stmt.parameter_count() {
            // `$3` is the third argument wherever it stands in the statement.
            let n = match stmt.parameter_name(i) {
                Some(name) => name
                    .trim_start_matches(['$', '?'])
                    .parse::<usize>()
                    .map_err(|_| rusqlite::Error::InvalidParameterName(name.to_owned()))?,
                None => i,
            };
            let count = args.len();
            let v = args
                .get_mut(n.wrapping_sub(1))
                .and_then(Option::take)
                .ok_or(rusqlite::Error::InvalidParameterCount(n, count))?;
            stmt.raw_bind_parameter(i, v)?;
        }
        let out = if may_wait {
            blocking(|| each(&mut stmt))
        } else {
            each(&mut stmt)
        };
        stmt.clear_bindings();
        args.clear();
        out
    }

    pub fn query(&self, sql: &str, args: Vec<Value>) -> rusqlite::Result<Vec<LiteRow>> {
        self.run(sql, args, |stmt| {
            let columns: Arc<Vec<String>> =
                Arc::new(stmt.column_names().into_iter().map(str::to_owned).collect());
            let n = columns.len();
            let mut rows = stmt.raw_query();
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let mut values = Vec::with_capacity(n);
                for i in 0..n {
                    values.push(LiteValue::try_from(r.get_ref(i)?).map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(
                            i,
                            rusqlite::types::Type::Text,
                            Box::new(e),
                        )
                    })?);
                }
                out.push(LiteRow {
                    columns: columns.clone(),
                    values,
                });
            }
            Ok(out)
        })
    }

    pub fn execute(&self, sql: &str, args: Vec<Value>) -> rusqlite::Result<u64> {
        self.run(sql, args, |stmt| stmt.raw_execute().map(|n| n as u64))
    }

    pub fn batch(&self, sql: &str) -> rusqlite::Result<()> {
        blocking(|| self.c()?.execute_batch(sql))
    }
}

/// Whether an error is a broken UNIQUE or PRIMARY KEY constraint.
pub fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}
