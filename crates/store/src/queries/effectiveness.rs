//! Active configs and contained effectiveness rows (GET …/personalization/effectiveness).

use diesel::backend::Backend;
use diesel::dsl;
#[cfg(feature = "postgres")]
use diesel::pg::Pg;
use diesel::prelude::*;
#[cfg(feature = "sqlite")]
use diesel::sqlite::Sqlite;
#[cfg(feature = "postgres")]
use diesel_async::RunQueryDsl;
use insights_model::{EffectivenessRow, PersonalizationConfig, Timestamp};
use time::PrimitiveDateTime;

use crate::pool::with_conn;
use crate::rows::{ConfigRow, EffectivenessRowDb, naive};
use crate::schema::{personalization_configs as pc, personalization_effectiveness as pe};
use crate::{Store, StoreError};

/// The effectiveness endpoint's two reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EffectivenessInputs {
    /// The user's active personalization configs.
    pub configs: Vec<PersonalizationConfig>,
    /// Rows wholly inside the window, ascending `startDate`.
    pub rows: Vec<EffectivenessRow>,
}

/// The user's active configs, oldest first (one query for both backends).
#[dsl::auto_type(no_type_alias)]
fn active_configs<'a, DB: Backend>(user: &'a str) -> _ {
    let columns: dsl::AsSelect<ConfigRow, DB> = ConfigRow::as_select();
    pc::table
        .filter(pc::user_id.eq(user))
        // The bare column, not `= true`: a bound `true` hides the condition from SQLite's
        // planner, which then cannot use the partial index
        // `insights_configs_user_active_idx … WHERE "isActive"` and scans the table.
        .filter(pc::is_active)
        .order((pc::created_at.asc(), pc::id.asc()))
        .select(columns)
}

/// The user's effectiveness rows wholly inside `[start, end]`, ascending `startDate`.
#[dsl::auto_type(no_type_alias)]
fn rows_inside<'a, DB: Backend>(
    user: &'a str,
    start: PrimitiveDateTime,
    end: PrimitiveDateTime,
) -> _ {
    let columns: dsl::AsSelect<EffectivenessRowDb, DB> = EffectivenessRowDb::as_select();
    pe::table
        .filter(pe::user_id.eq(user))
        .filter(pe::start_date.ge(start))
        .filter(pe::end_date.le(end))
        .order((pe::start_date.asc(), pe::id.asc()))
        .select(columns)
}

impl Store {
    /// Active configs and the rows with `startDate >= start AND endDate <= end`; both reads
    /// pipelined on one connection on PostgreSQL, run in one blocking-thread hop on SQLite.
    pub async fn effectiveness_inputs(
        &self,
        user: &str,
        start: Timestamp,
        end: Timestamp,
    ) -> Result<EffectivenessInputs, StoreError> {
        let (start, end) = (naive(start), naive(end));
        let (configs, rows) = with_conn!(self,
            read: |conn| {
                futures_util::try_join!(
                    active_configs::<Pg>(user).load::<ConfigRow>(&mut &*conn),
                    rows_inside::<Pg>(user, start, end).load::<EffectivenessRowDb>(&mut &*conn),
                )?
            },
            sqlite: |conn| {
                // Both reads in one hop to the connection's blocking thread (see
                // `recommendation_inputs`).
                let user = user.to_owned();
                conn.spawn_blocking(move |c| {
                    Ok((
                        diesel::RunQueryDsl::load::<ConfigRow>(active_configs::<Sqlite>(&user), c)?,
                        diesel::RunQueryDsl::load::<EffectivenessRowDb>(
                            rows_inside::<Sqlite>(&user, start, end),
                            c,
                        )?,
                    ))
                })
                .await?
            }
        );
        Ok(EffectivenessInputs {
            configs: configs.into_iter().map(Into::into).collect(),
            rows: rows.into_iter().map(Into::into).collect(),
        })
    }
}
