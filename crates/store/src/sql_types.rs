//! Backend-neutral SQL types. Each has one Rust value type and two encodings: the original's
//! PostgreSQL types (named enums, `text[]`, `jsonb`) and SQLite TEXT (enum labels, JSON).
//! Declaring them once lets a single [`crate::schema`] serve both backends.

#![allow(missing_docs)]

use std::io::Write;

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{Array, Jsonb, Text};
use diesel::sqlite::{Sqlite, SqliteValue};

/// Declares an enum SQL type (a named Postgres enum, TEXT on SQLite) and the wrapper that maps a
/// domain enum of `insights-model` to it by its wire name.
macro_rules! db_enum {
    ($sql:ident, $pg_name:tt, $wrapper:ident, $domain:ty) => {
        #[derive(
            Debug, Clone, Copy, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId,
        )]
        #[diesel(postgres_type(name = $pg_name))]
        #[diesel(sqlite_type(name = "Text"))]
        pub struct $sql;

        #[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
        #[diesel(sql_type = $sql)]
        pub struct $wrapper(pub $domain);

        impl ToSql<$sql, Pg> for $wrapper {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                // A Postgres enum's binary form is its label.
                out.write_all(self.0.as_str().as_bytes())?;
                Ok(IsNull::No)
            }
        }

        impl FromSql<$sql, Pg> for $wrapper {
            fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
                Ok(Self(std::str::from_utf8(bytes.as_bytes())?.parse()?))
            }
        }

        impl ToSql<$sql, Sqlite> for $wrapper {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                out.set_value(self.0.as_str());
                Ok(IsNull::No)
            }
        }

        impl FromSql<$sql, Sqlite> for $wrapper {
            fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
                let label = <String as FromSql<Text, Sqlite>>::from_sql(value)?;
                Ok(Self(label.parse()?))
            }
        }
    };
}

db_enum!(
    PatternTypeSql,
    "BehavioralPatternType",
    DbPatternType,
    insights_model::PatternType
);
db_enum!(
    InsightTypeSql,
    "InsightType",
    DbInsightType,
    insights_model::InsightType
);
db_enum!(
    InterventionTypeSql,
    "InterventionType",
    DbInterventionType,
    insights_model::InterventionType
);
db_enum!(
    InterventionStatusSql,
    "InterventionStatus",
    DbInterventionStatus,
    insights_model::InterventionStatus
);
db_enum!(
    RecommendationTypeSql,
    "RecommendationType",
    DbRecommendationType,
    insights_model::RecommendationType
);
db_enum!(
    RecommendationStatusSql,
    "RecommendationStatus",
    DbRecommendationStatus,
    insights_model::RecommendationStatus
);
db_enum!(
    ApplicationTypeSql,
    "ApplicationType",
    DbApplicationType,
    insights_model::ApplicationType
);
db_enum!(
    PersonalizationContextSql,
    "PersonalizationContext",
    DbPersonalizationContext,
    insights_model::PersonalizationContext
);

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
