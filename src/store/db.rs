//! One connection type over the two engines. Queries are written once in the SQL both engines
//! share (`$1` placeholders, `RETURNING`, `ON CONFLICT`); values and rows pass through the small
//! [`Value`] and [`Row`] types so that timestamps have one canonical form in SQLite (fixed-width
//! UTC text that sorts correctly) and a native `timestamptz` in PostgreSQL.
//!
//! PostgreSQL goes through sqlx. SQLite goes through rusqlite on the calling worker thread
//! (see [`super::lite`]): a query on a local file takes microseconds, and handing each one to a
//! driver thread and back (as sqlx's SQLite driver does) cost more than the query itself.

use std::borrow::Cow;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::types::Value as LiteValue;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{AssertSqlSafe, PgPool, Postgres, Row as _};

use super::lite::{self, LiteRow};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("no such row")]
    NotFound,
    #[error("column {column}: {message}")]
    Decode { column: String, message: String },
    #[error("{0}")]
    Config(String),
    /// The storage layer could not keep or give back a file.
    #[error("{0}")]
    Files(String),
}

impl StoreError {
    /// Whether a unique constraint was broken, so callers can turn it into a clear message.
    pub fn unique_violation(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(e)) => e.is_unique_violation(),
            StoreError::Sqlite(e) => lite::is_unique_violation(e),
            _ => false,
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Which engine a [`Db`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// SQL text: a literal, or one assembled by [`Sql::join`] or a [`Statement`] from literal
/// fragments only. There is no way to make one from a `String`, so no text a person typed can
/// become SQL: it reaches a statement only as a bound value.
pub struct Sql(Cow<'static, str>);

impl From<&'static str> for Sql {
    fn from(s: &'static str) -> Self {
        Sql(Cow::Borrowed(s))
    }
}

impl Sql {
    /// A statement made of static fragments (a record's column list between a `SELECT` and a
    /// `FROM`, say), its values bound as `$1`, `$2` ... in the fragments.
    pub fn join(parts: &[&'static str]) -> Sql {
        Sql(Cow::Owned(parts.concat()))
    }

    fn pg(self) -> AssertSqlSafe<Cow<'static, str>> {
        AssertSqlSafe(self.0)
    }
}

/// A statement assembled at run time (a filter with optional parts, a list of values) from
/// static fragments and bound values only: each [`Statement::bind`] writes the next `$n` and
/// keeps its value, so the numbers and the values cannot drift apart.
#[derive(Debug, Default)]
pub struct Statement {
    sql: String,
    args: Vec<Value>,
}

impl Statement {
    /// Start from static text whose own placeholders (`$1` ... `$n`) are `args`.
    pub fn new(text: &'static str, args: Vec<Value>) -> Statement {
        Statement {
            sql: text.to_owned(),
            args,
        }
    }

    pub fn push(&mut self, text: &'static str) -> &mut Statement {
        self.sql.push_str(text);
        self
    }

    /// A value, as the next placeholder.
    pub fn bind(&mut self, v: impl Into<Value>) -> &mut Statement {
        self.args.push(v.into());
        self.sql.push('$');
        self.sql.push_str(&self.args.len().to_string());
        self
    }

    /// Values as a comma-separated list of placeholders (for `IN (...)`); an empty list is
    /// `NULL`, so `x IN (NULL)` matches nothing. (`x NOT IN (NULL)` matches nothing either:
    /// leave a `NOT IN` out when its list is empty.)
    pub fn bind_list<V: Into<Value>>(&mut self, vs: impl IntoIterator<Item = V>) -> &mut Statement {
        let mut any = false;
        for v in vs {
            if any {
                self.sql.push_str(", ");
            }
            self.bind(v);
            any = true;
        }
        if !any {
            self.sql.push_str("NULL");
        }
        self
    }

    /// How many values are bound so far.
    pub fn bound(&self) -> usize {
        self.args.len()
    }

    /// The SQL and its values, for `fetch_*` and `execute`.
    pub fn parts(self) -> (Sql, Vec<Value>) {
        (Sql(Cow::Owned(self.sql)), self.args)
    }

    /// The SQL so far, for tests.
    pub fn text(&self) -> &str {
        &self.sql
    }
}

/// The type of a NULL: PostgreSQL needs to know it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Int,
    Text,
    Bool,
    Ts,
    Date,
    Bytes,
}

/// A Rust type's [`Kind`], for binding `None`.
pub trait Typed {
    const KIND: Kind;
}

macro_rules! typed {
    ($k:ident: $($t:ty),*) => {$( impl Typed for $t { const KIND: Kind = Kind::$k; } )*};
}
typed!(Int: i64, i32);
typed!(Text: String, &str, &String);
typed!(Bool: bool);
typed!(Ts: DateTime<Utc>);
typed!(Date: NaiveDate);
typed!(Bytes: Vec<u8>);

/// A bound parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null(Kind),
    Int(i64),
    Text(String),
    Bool(bool),
    Ts(DateTime<Utc>),
    Date(NaiveDate),
    Bytes(Vec<u8>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int(v.into())
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl From<DateTime<Utc>> for Value {
    fn from(v: DateTime<Utc>) -> Self {
        Value::Ts(v)
    }
}
impl From<NaiveDate> for Value {
    fn from(v: NaiveDate) -> Self {
        Value::Date(v)
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(v)
    }
}
impl<T: Into<Value> + Typed> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null(T::KIND), Into::into)
    }
}

/// Parameters for a statement: `args![a, b, c]`.
#[macro_export]
macro_rules! args {
    () => { Vec::<$crate::store::Value>::new() };
    ($($v:expr),+ $(,)?) => { vec![$($crate::store::Value::from($v)),+] };
}

/// The canonical text form of a timestamp in SQLite: fixed width, so text order is time order.
pub fn ts_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn bind_pg<'q>(
    mut q: sqlx::query::Query<'q, Postgres, <Postgres as sqlx::Database>::Arguments>,
    args: Vec<Value>,
) -> sqlx::query::Query<'q, Postgres, <Postgres as sqlx::Database>::Arguments> {
    for a in args {
        q = match a {
            Value::Null(Kind::Int) => q.bind(Option::<i64>::None),
            Value::Null(Kind::Text) => q.bind(Option::<String>::None),
            Value::Null(Kind::Bool) => q.bind(Option::<bool>::None),
            Value::Null(Kind::Ts) => q.bind(Option::<DateTime<Utc>>::None),
            Value::Null(Kind::Date) => q.bind(Option::<NaiveDate>::None),
            Value::Null(Kind::Bytes) => q.bind(Option::<Vec<u8>>::None),
            Value::Int(v) => q.bind(v),
            Value::Text(v) => q.bind(v),
            Value::Bool(v) => q.bind(v),
            Value::Ts(v) => q.bind(v),
            Value::Date(v) => q.bind(v),
            Value::Bytes(v) => q.bind(v),
        };
    }
    q
}

/// A result row from either engine.
pub enum Row {
    Sqlite(LiteRow),
    Pg(PgRow),
}

impl Row {
    pub fn get<T: Col>(&self, column: &str) -> StoreResult<T> {
        match self {
            Row::Sqlite(r) => r.value(column).and_then(|v| T::from_lite(v)),
            Row::Pg(r) => T::from_pg(r, column).map_err(|e| e.to_string()),
        }
        .map_err(|message| StoreError::Decode {
            column: column.to_owned(),
            message,
        })
    }
}

/// A type that can be read from a column of either engine.
pub trait Col: Sized {
    fn from_lite(v: &LiteValue) -> Result<Self, String>;
    fn from_pg(row: &PgRow, column: &str) -> Result<Self, sqlx::Error>;
}

fn wrong(v: &LiteValue, want: &str) -> String {
    format!("expected {want}, found {:?}", v.data_type())
}

impl Col for i64 {
    fn from_lite(v: &LiteValue) -> Result<Self, String> {
        match v {
            LiteValue::Integer(i) => Ok(*i),
            _ => Err(wrong(v, "an integer")),
        }
    }
    fn from_pg(row: &PgRow, column: &str) -> Result<Self, sqlx::Error> {
        row.try_get(column)
    }
}

impl Col for bool {
    fn from_lite(v: &LiteValue) -> Result<Self, String> {
        match v {
            LiteValue::Integer(i) => Ok(*i != 0),
            _ => Err(wrong(v, "a boolean")),
        }
    }
    fn from_pg(row: &PgRow, column: &str) -> Result<Self, sqlx::Error> {
        row.try_get(column)
    }
}

impl Col for String {
    fn from_lite(v: &LiteValue) -> Result<Self, String> {
        match v {
            LiteValue::Text(s) => Ok(s.clone()),
            _ => Err(wrong(v, "text")),
        }
    }
    fn from_pg(row: &PgRow, column: &str) -> Result<Self, sqlx::Error> {
        row.try_get(column)
    }
}

/// A state stored as its word (`open`, `done`), declared with [`crate::states!`]: read back
/// through the enum, so a word the code does not know is a decoding error, never a default.
pub trait Word: Sized + Copy + 'static {
    /// What the states are of, for the decoding error ("an action's status").
    const WHAT: &'static str;
    fn word(self) -> &'static str;
    fn from_word(s: &str) -> Option<Self>;
}

impl<T: Word> Col for T {
    fn from_lite(v: &LiteValue) -> Result<Self, String> {
        let s = String::from_lite(v)?;
        T::from_word(&s).ok_or_else(|| format!("{s:?} is not {}", T::WHAT))
    }
    fn from_pg(row: &PgRow, column: &str) -> Result<Self, sqlx::Error> {
        let s: String = row.try_get(column)?;
        T::from_word(&s)
            .ok_or_else(|| sqlx::Error::Decode(format!("{s:?} is not {}", T::WHAT).into()))
    }
}

impl<T: Word> From<T> for Value {
    fn from(v: T) -> Self {
        Value::from(v.word())
    }
}

impl Col for Vec<u8> {
    fn from_lite(v: &LiteValue) -> Result<Self, String> {
        match v {
            LiteValue::Blob(b) => Ok(b.clone()),
            _ => Err(wrong(v, "bytes")),
        }
    }
    fn from_pg(row: &PgRow, column: &str) -> Result<Self, sqlx::Error> {
        row.try_get(column)
    }
}

impl Col for DateTime<Utc> {
    fn from_lite(v: &LiteValue) -> Result<Self, String> {
        match v {
            LiteValue::Text(s) => DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| e.to_string()),
            _ => Err(wrong(v, "a timestamp")),
        }
    }
    fn from_pg(row: &PgRow, column: &str) -> Result<Self, sqlx::Error> {
        row.try_get(column)
    }
}

impl Col for NaiveDate {
    fn from_lite(v: &LiteValue) -> Result<Self, String> {
        match v {
            LiteValue::Text(s) => NaiveDate::from_str(s).map_err(|e| e.to_string()),
            _ => Err(wrong(v, "a date")),
        }
    }
    fn from_pg(row: &PgRow, column: &str) -> Result<Self, sqlx::Error> {
        row.try_get(column)
    }
}

impl<T: Col> Col for Option<T>
where
    for<'r> Option<T>: sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>,
{
    fn from_lite(v: &LiteValue) -> Result<Self, String> {
        match v {
            LiteValue::Null => Ok(None),
            other => T::from_lite(other).map(Some),
        }
    }
    fn from_pg(row: &PgRow, column: &str) -> Result<Self, sqlx::Error> {
        row.try_get(column)
    }
}

/// A pool of connections to one database.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(lite::Pool),
    Postgres(PgPool),
}

/// How to open a database.
#[derive(Clone, Debug)]
pub struct DbOptions {
    pub url: String,
    /// Create the SQLite file when it does not exist (refused otherwise, so a mistyped path is
    /// noticed instead of silently starting an empty partnership).
    pub create_if_missing: bool,
    pub max_connections: u32,
}

impl Db {
    pub async fn connect(opts: &DbOptions) -> StoreResult<Db> {
        if opts.url.starts_with("postgres://") || opts.url.starts_with("postgresql://") {
            let o = PgConnectOptions::from_str(&opts.url)?;
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(o)
                .await?;
            Ok(Db::Postgres(pool))
        } else if let Some(path) = opts.url.strip_prefix("sqlite://") {
            let path = std::path::Path::new(path.split('?').next().unwrap_or(path));
            if !opts.create_if_missing && !path.exists() {
                return Err(StoreError::Config(format!(
                    "no database at {}: run `masa migrate` to create it, or check MASA_DATABASE_URL",
                    path.display()
                )));
            }
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StoreError::Config(format!("cannot create {}: {e}", dir.display()))
                })?;
            }
            let pool = lite::Pool::new(
                path.to_path_buf(),
                opts.create_if_missing,
                opts.max_connections,
            );
            // Open one connection now, so a bad path or a locked file is reported at start.
            drop(pool.get().await?);
            Ok(Db::Sqlite(pool))
        } else {
            Err(StoreError::Config(format!(
                "MASA_DATABASE_URL must start with sqlite:// or postgres://, not {:?}",
                opts.url.split(':').next().unwrap_or("")
            )))
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite(_) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close(),
            Db::Postgres(p) => p.close().await,
        }
    }

    pub async fn fetch_all(&self, sql: impl Into<Sql>, args: Vec<Value>) -> StoreResult<Vec<Row>> {
        let sql = sql.into();
        Ok(match self {
            Db::Sqlite(p) => p
                .get()
                .await?
                .query(&sql.0, args)?
                .into_iter()
                .map(Row::Sqlite)
                .collect(),
            Db::Postgres(p) => bind_pg(sqlx::query(sql.pg()), args)
                .fetch_all(p)
                .await?
                .into_iter()
                .map(Row::Pg)
                .collect(),
        })
    }

    pub async fn fetch_optional(
        &self,
        sql: impl Into<Sql>,
        args: Vec<Value>,
    ) -> StoreResult<Option<Row>> {
        let sql = sql.into();
        Ok(match self {
            Db::Sqlite(p) => p
                .get()
                .await?
                .query(&sql.0, args)?
                .into_iter()
                .next()
                .map(Row::Sqlite),
            Db::Postgres(p) => bind_pg(sqlx::query(sql.pg()), args)
                .fetch_optional(p)
                .await?
                .map(Row::Pg),
        })
    }

    pub async fn fetch_one(&self, sql: impl Into<Sql>, args: Vec<Value>) -> StoreResult<Row> {
        self.fetch_optional(sql, args)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// A statement outside any transaction. Only the plumbing that is not a domain record uses
    /// this (sessions, sign-in attempts, the outbox's delivery state); records go through
    /// [`crate::store::Tx`] so that every change reaches the audit trail.
    pub(crate) async fn execute(&self, sql: impl Into<Sql>, args: Vec<Value>) -> StoreResult<u64> {
        let sql = sql.into();
        Ok(match self {
            Db::Sqlite(p) => p.get().await?.execute(&sql.0, args)?,
            Db::Postgres(p) => bind_pg(sqlx::query(sql.pg()), args)
                .execute(p)
                .await?
                .rows_affected(),
        })
    }

    /// Create a PostgreSQL database (tests and set-up scripts). The name is checked, not quoted.
    pub async fn create_database(&self, name: &str) -> StoreResult<()> {
        self.execute_script(format!("CREATE DATABASE {}", database_name(name)?))
            .await
    }

    /// A new PostgreSQL database copied from another (a migrated template, for tests).
    pub async fn create_database_from(&self, name: &str, template: &str) -> StoreResult<()> {
        self.execute_script(format!(
            "CREATE DATABASE {} TEMPLATE {}",
            database_name(name)?,
            database_name(template)?
        ))
        .await
    }

    /// Rename a PostgreSQL database nobody is connected to.
    pub async fn rename_database(&self, from: &str, to: &str) -> StoreResult<()> {
        self.execute_script(format!(
            "ALTER DATABASE {} RENAME TO {}",
            database_name(from)?,
            database_name(to)?
        ))
        .await
    }

    /// Drop a PostgreSQL database, ending any connections to it.
    pub async fn drop_database(&self, name: &str) -> StoreResult<()> {
        self.execute_script(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            database_name(name)?
        ))
        .await
    }

    /// Several statements in one string (migrations).
    pub(crate) async fn execute_script(&self, sql: String) -> StoreResult<()> {
        match self {
            Db::Sqlite(p) => p.get().await?.batch(&sql)?,
            Db::Postgres(p) => {
                sqlx::raw_sql(AssertSqlSafe(sql)).execute(p).await?;
            }
        }
        Ok(())
    }

    /// Begin a write transaction. SQLite takes the write lock at once (`BEGIN IMMEDIATE`): a
    /// deferred transaction that later upgrades to a write fails with SQLITE_BUSY instead of
    /// waiting.
    pub async fn begin(&self) -> StoreResult<RawTx> {
        Ok(match self {
            Db::Sqlite(p) => {
                let c = p.get().await?;
                c.batch("BEGIN IMMEDIATE")?;
                RawTx::Sqlite(c)
            }
            Db::Postgres(p) => RawTx::Pg(p.begin().await?),
        })
    }
}

/// A transaction on either engine. Wrapped by [`crate::store::Tx`], which adds the audit trail.
/// Dropped without [`RawTx::commit`], it rolls back.
pub enum RawTx {
    Sqlite(lite::Conn),
    Pg(sqlx::Transaction<'static, Postgres>),
}

impl RawTx {
    pub async fn fetch_all(
        &mut self,
        sql: impl Into<Sql>,
        args: Vec<Value>,
    ) -> StoreResult<Vec<Row>> {
        let sql = sql.into();
        Ok(match self {
            RawTx::Sqlite(c) => c
                .query(&sql.0, args)?
                .into_iter()
                .map(Row::Sqlite)
                .collect(),
            RawTx::Pg(t) => bind_pg(sqlx::query(sql.pg()), args)
                .fetch_all(&mut **t)
                .await?
                .into_iter()
                .map(Row::Pg)
                .collect(),
        })
    }

    pub async fn fetch_optional(
        &mut self,
        sql: impl Into<Sql>,
        args: Vec<Value>,
    ) -> StoreResult<Option<Row>> {
        Ok(self.fetch_all(sql, args).await?.into_iter().next())
    }

    pub async fn execute(&mut self, sql: impl Into<Sql>, args: Vec<Value>) -> StoreResult<u64> {
        let sql = sql.into();
        Ok(match self {
            RawTx::Sqlite(c) => c.execute(&sql.0, args)?,
            RawTx::Pg(t) => bind_pg(sqlx::query(sql.pg()), args)
                .execute(&mut **t)
                .await?
                .rows_affected(),
        })
    }

    /// Several statements in one string (migrations).
    pub async fn execute_script(&mut self, sql: String) -> StoreResult<()> {
        match self {
            RawTx::Sqlite(c) => c.batch(&sql)?,
            RawTx::Pg(t) => {
                sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut **t).await?;
            }
        }
        Ok(())
    }

    pub async fn commit(self) -> StoreResult<()> {
        match self {
            RawTx::Sqlite(c) => c.batch("COMMIT")?,
            RawTx::Pg(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// A database name as it may stand in a statement: lower-case letters, digits and `_`.
fn database_name(name: &str) -> StoreResult<&str> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(StoreError::Config(format!("bad database name {name:?}")));
    }
    Ok(name)
}

#[cfg(test)]
mod statement_tests {
    use super::*;

    #[test]
    fn placeholders_number_themselves_and_lists_may_be_empty() {
        let mut q = Statement::new("SELECT id FROM t WHERE a = $1", vec![Value::Int(1)]);
        q.push(" AND b = ")
            .bind("x")
            .push(" AND c IN (")
            .bind_list([2_i64, 3])
            .push(") AND d IN (")
            .bind_list(Vec::<i64>::new())
            .push(")");
        assert_eq!(
            q.text(),
            "SELECT id FROM t WHERE a = $1 AND b = $2 AND c IN ($3, $4) AND d IN (NULL)"
        );
        assert_eq!(q.bound(), 4);
        assert_eq!(
            Sql::join(&["SELECT ", "a, b", " FROM t"]).0,
            "SELECT a, b FROM t"
        );
    }
}
