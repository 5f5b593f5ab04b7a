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
/// its decoder ([`crate::store::Record::from_row`]).
#[macro_export]
macro_rules! record {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty $(=> $col:literal)? ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(serde::Serialize)]
        $vis struct $name {
            $( $(#[$fmeta])* $fvis $field : $ty ),+
        }

        impl $crate::store::Record for $name {
            const COLUMNS: &'static str = $crate::record_columns!($([$field $($col)?]),+);
            fn from_row(r: &$crate::store::Row) -> $crate::store::StoreResult<Self> {
                Ok($name { $( $field: r.get(stringify!($field))? ),+ })
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
        }
    }

    #[test]
    fn the_columns_follow_the_fields() {
        assert_eq!(Example::COLUMNS, "id, name, due_on AS due");
        let e = Example {
            id: 1,
            name: "x".into(),
            due: None,
        };
        assert_eq!(
            serde_json::to_value(&e).expect("json")["name"],
            serde_json::json!("x")
        );
    }
}
