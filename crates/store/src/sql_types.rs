//! Backend-neutral SQL types. Each has one Rust value type and two encodings: the original's
//! PostgreSQL types (named enums, `text[]`, `jsonb`) and SQLite TEXT (enum labels, JSON).
//! Declaring them once lets a single [`crate::schema`] serve both backends; each backend's
//! encodings are in a module compiled with its feature.

#![allow(missing_docs)]

use std::marker::PhantomData;
use std::str::FromStr;

use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;
use diesel::query_builder::QueryId;
use insights_model::{
    ApplicationType, InsightType, InterventionStatus, InterventionType, ModelError, PatternType,
    PersonalizationContext, RecommendationStatus, RecommendationType,
};

/// A model enum stored by its wire name: as a value of the named PostgreSQL enum
/// [`Self::POSTGRES_TYPE`] (the original's types), as TEXT on SQLite. [`EnumSql`] is its SQL
/// type and [`DbEnum`] the value diesel binds and reads.
pub trait StoredEnum:
    Copy + Eq + std::fmt::Debug + FromStr<Err = ModelError> + Send + Sync + 'static
{
    /// The name of the PostgreSQL enum type.
    const POSTGRES_TYPE: &'static str;
    /// The wire name (the PostgreSQL enum label).
    fn label(self) -> &'static str;
}

impl StoredEnum for PatternType {
    const POSTGRES_TYPE: &'static str = "BehavioralPatternType";
    fn label(self) -> &'static str {
        self.as_str()
    }
}

impl StoredEnum for InsightType {
    const POSTGRES_TYPE: &'static str = "InsightType";
    fn label(self) -> &'static str {
        self.as_str()
    }
}

impl StoredEnum for InterventionType {
    const POSTGRES_TYPE: &'static str = "InterventionType";
    fn label(self) -> &'static str {
        self.as_str()
    }
}

impl StoredEnum for InterventionStatus {
    const POSTGRES_TYPE: &'static str = "InterventionStatus";
    fn label(self) -> &'static str {
        self.as_str()
    }
}

impl StoredEnum for RecommendationType {
    const POSTGRES_TYPE: &'static str = "RecommendationType";
    fn label(self) -> &'static str {
        self.as_str()
    }
}

impl StoredEnum for RecommendationStatus {
    const POSTGRES_TYPE: &'static str = "RecommendationStatus";
    fn label(self) -> &'static str {
        self.as_str()
    }
}

impl StoredEnum for ApplicationType {
    const POSTGRES_TYPE: &'static str = "ApplicationType";
    fn label(self) -> &'static str {
        self.as_str()
    }
}

impl StoredEnum for PersonalizationContext {
    const POSTGRES_TYPE: &'static str = "PersonalizationContext";
    fn label(self) -> &'static str {
        self.as_str()
    }
}

/// The SQL type of the enum `E`.
#[derive(Debug, Clone, Copy, diesel::sql_types::SqlType)]
#[diesel(sqlite_type(name = "Text"))]
pub struct EnumSql<E: StoredEnum>(PhantomData<E>);

impl<E: StoredEnum> QueryId for EnumSql<E> {
    type QueryId = Self;
    const HAS_STATIC_QUERY_ID: bool = true;
}

// The schema's names for the enum columns' types.
pub type PatternTypeSql = EnumSql<PatternType>;
pub type InsightTypeSql = EnumSql<InsightType>;
pub type InterventionTypeSql = EnumSql<InterventionType>;
pub type InterventionStatusSql = EnumSql<InterventionStatus>;
pub type RecommendationTypeSql = EnumSql<RecommendationType>;
pub type RecommendationStatusSql = EnumSql<RecommendationStatus>;
pub type ApplicationTypeSql = EnumSql<ApplicationType>;
pub type PersonalizationContextSql = EnumSql<PersonalizationContext>;

/// The value of an enum column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = EnumSql<E>)]
pub struct DbEnum<E: StoredEnum>(pub E);

/// A list of strings: `text[]` on PostgreSQL, a JSON array in TEXT on SQLite.
#[derive(
    Debug, Clone, Copy, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId,
)]
#[diesel(postgres_type(oid = 1009, array_oid = 1009))]
#[diesel(sqlite_type(name = "Text"))]
pub struct TextList;

/// Rust side of [`TextList`].
#[derive(Debug, Clone, PartialEq, Eq, Default, AsExpression, FromSqlRow)]
#[diesel(sql_type = TextList)]
pub struct DbTextList(pub Vec<String>);

/// A JSON document: `jsonb` on PostgreSQL, JSON in TEXT on SQLite.
#[derive(
    Debug, Clone, Copy, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId,
)]
#[diesel(postgres_type(oid = 3802, array_oid = 3807))]
#[diesel(sqlite_type(name = "Text"))]
pub struct JsonDoc;

/// Rust side of [`JsonDoc`].
#[derive(Debug, Clone, PartialEq, AsExpression, FromSqlRow)]
#[diesel(sql_type = JsonDoc)]
pub struct DbJson(pub serde_json::Value);

/// The PostgreSQL encodings: the original's named enums, `text[]` and `jsonb`.
#[cfg(feature = "postgres")]
mod postgres {
    use std::io::Write;

    use diesel::deserialize::{self, FromSql};
    use diesel::pg::{Pg, PgTypeMetadata, PgValue};
    use diesel::serialize::{self, IsNull, Output, ToSql};
    use diesel::sql_types::{Array, HasSqlType, Jsonb, Text};

    use super::{DbEnum, DbJson, DbTextList, EnumSql, JsonDoc, StoredEnum, TextList};

    impl<E: StoredEnum> HasSqlType<EnumSql<E>> for Pg {
        fn metadata(lookup: &mut Self::MetadataLookup) -> PgTypeMetadata {
            lookup.lookup_type(E::POSTGRES_TYPE, None)
        }
    }

    impl<E: StoredEnum> ToSql<EnumSql<E>, Pg> for DbEnum<E> {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
            // A PostgreSQL enum's binary form is its label.
            out.write_all(self.0.label().as_bytes())?;
            Ok(IsNull::No)
        }
    }

    impl<E: StoredEnum> FromSql<EnumSql<E>, Pg> for DbEnum<E> {
        fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
            Ok(Self(std::str::from_utf8(bytes.as_bytes())?.parse()?))
        }
    }

    impl ToSql<TextList, Pg> for DbTextList {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
            <Vec<String> as ToSql<Array<Text>, Pg>>::to_sql(&self.0, out)
        }
    }

    impl FromSql<TextList, Pg> for DbTextList {
        fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
            // Array elements may be NULL in Postgres; the domain has no use for them.
            let items = <Vec<Option<String>> as FromSql<
                Array<diesel::sql_types::Nullable<Text>>,
                Pg,
            >>::from_sql(bytes)?;
            Ok(Self(items.into_iter().flatten().collect()))
        }
    }

    impl ToSql<JsonDoc, Pg> for DbJson {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
            <serde_json::Value as ToSql<Jsonb, Pg>>::to_sql(&self.0, out)
        }
    }

    impl FromSql<JsonDoc, Pg> for DbJson {
        fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
            Ok(Self(<serde_json::Value as FromSql<Jsonb, Pg>>::from_sql(
                bytes,
            )?))
        }
    }
}

/// The SQLite encodings: TEXT holding the enum label or JSON.
#[cfg(feature = "sqlite")]
mod sqlite {
    use diesel::deserialize::{self, FromSql};
    use diesel::serialize::{self, IsNull, Output, ToSql};
    use diesel::sql_types::Text;
    use diesel::sqlite::{Sqlite, SqliteValue};

    use super::{DbEnum, DbJson, DbTextList, EnumSql, JsonDoc, StoredEnum, TextList};

    impl<E: StoredEnum> ToSql<EnumSql<E>, Sqlite> for DbEnum<E> {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
            out.set_value(self.0.label());
            Ok(IsNull::No)
        }
    }

    impl<E: StoredEnum> FromSql<EnumSql<E>, Sqlite> for DbEnum<E> {
        fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
            let label = <String as FromSql<Text, Sqlite>>::from_sql(value)?;
            Ok(Self(label.parse()?))
        }
    }

    impl ToSql<TextList, Sqlite> for DbTextList {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
            out.set_value(serde_json::to_string(&self.0)?);
            Ok(IsNull::No)
        }
    }

    impl FromSql<TextList, Sqlite> for DbTextList {
        fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
            let text = <String as FromSql<Text, Sqlite>>::from_sql(value)?;
            Ok(Self(serde_json::from_str(&text)?))
        }
    }

    impl ToSql<JsonDoc, Sqlite> for DbJson {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
            out.set_value(serde_json::to_string(&self.0)?);
            Ok(IsNull::No)
        }
    }

    impl FromSql<JsonDoc, Sqlite> for DbJson {
        fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
            let text = <String as FromSql<Text, Sqlite>>::from_sql(value)?;
            Ok(Self(serde_json::from_str(&text)?))
        }
    }
}
