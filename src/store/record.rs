//! One declaration of a stored record: [`crate::record!`] writes its struct (serialisable, for
//! the audit trail), its column list and its row decoder from one list of fields, so the three
//! cannot drift apart. A field is read from the column of its own name, or from the expression
//! after `=>` (`pub date: NaiveDate => "meeting_date"`), selected under the field's name.

/// One column of a record, as a `SELECT` lists it.
#[doc(hidden)]
#[macro_export]
macro_rules! record_column {
    ($f:ident) => {
        stringify!($f)
    };
    ($f:ident $c:literal) => {
        concat!($c, " AS ", stringify!($f))
    };
    ($f:ident $c:literal $a:literal) => {
        concat!($c, " AS ", $a)
    };
}

/// The name a record's field is read back by: its own, or the alias it was given.
#[doc(hidden)]
#[macro_export]
macro_rules! record_alias {
    ($f:ident) => {
        stringify!($f)
    };
    ($f:ident $a:literal) => {
        $a
    };
}

/// The columns of a record, comma-separated.
#[doc(hidden)]
#[macro_export]
macro_rules! record_columns {
    ($first:tt $(, $rest:tt)*) => {
        concat!($crate::record_column! $first $(, ", ", $crate::record_column! $rest)*)
    };
}

/// Declare a stored record once: its struct, its columns ([`crate::store::Record::COLUMNS`]) and
/// its decoder ([`crate::store::Record::from_row`]). A field read from another column or an
/// expression names it (`=> "u.name"`); where two records are read from one row, one of them
/// gives its columns other names (`=> "m.id" as "m_id"`).
#[macro_export]
macro_rules! record {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty $(=> $col:literal $(as $alias:literal)?)? ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(serde::Serialize)]
        $vis struct $name {
            $( $(#[$fmeta])* $fvis $field : $ty ),+
        }

        impl $crate::store::Record for $name {
            const COLUMNS: &'static str = $crate::record_columns!($([$field $($col $($alias)?)?]),+);
            fn from_row(r: &$crate::store::Row) -> $crate::store::StoreResult<Self> {
                Ok($name { $( $field: r.get($crate::record_alias!($field $($($alias)?)?))? ),+ })
            }
        }
    };
}

/// Declare the states a record can be in, once: the enum, the word each is stored and sent as
/// (`as_str`, `parse`, `ALL`, `Display`, JSON), and decoding from a row through
/// [`crate::store::Word`].
#[macro_export]
macro_rules! states {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident as $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $word:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($word => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl $crate::store::Word for $name {
            const WHAT: &'static str = $what;
            fn word(self) -> &'static str {
                self.as_str()
            }
            fn from_word(s: &str) -> Option<Self> {
                Self::parse(s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::store::Record;

    crate::record! {
        #[derive(Clone, Debug)]
        struct Example {
            id: i64,
            /// A field with its own doc.
            name: String,
            due: Option<chrono::NaiveDate> => "due_on",
            version: i64 => "e.version" as "e_version",
        }
    }

    crate::states! {
        /// Where an example stands.
        enum Stage as "an example's stage" {
            Open = "open",
            /// Done and dusted.
            Done = "done",
        }
    }

    #[test]
    fn states_are_stored_as_their_words_and_unknown_words_refused() {
        use crate::store::{Col, Word};
        assert_eq!(Stage::ALL, &[Stage::Open, Stage::Done]);
        assert_eq!(Stage::parse("done"), Some(Stage::Done));
        assert_eq!(Stage::parse("Done"), None);
        assert_eq!(Stage::Open.to_string(), "open");
        assert_eq!(serde_json::json!(Stage::Done), serde_json::json!("done"));
        assert!(
            matches!(crate::store::Value::from(Stage::Done), crate::store::Value::Text(s) if s == "done")
        );
        let lite = |s: &str| rusqlite::types::Value::Text(s.into());
        assert_eq!(Stage::from_lite(&lite("open")), Ok(Stage::Open));
        assert_eq!(
            Stage::from_lite(&lite("archived")),
            Err(format!("\"archived\" is not {}", Stage::WHAT))
        );
    }

    #[test]
    fn the_columns_follow_the_fields() {
        assert_eq!(
            Example::COLUMNS,
            "id, name, due_on AS due, e.version AS e_version"
        );
        let e = Example {
            id: 1,
            name: "x".into(),
            due: None,
            version: 2,
        };
        assert_eq!(
            serde_json::to_value(&e).expect("json")["name"],
            serde_json::json!("x")
        );
    }
}
