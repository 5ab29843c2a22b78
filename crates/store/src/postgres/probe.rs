//! The PostgreSQL side of [`Health`]: connection attempts that report whether the server can be
//! reached, and the store's one background probe that reconnects while it is down and answers
//! readiness requests (see the `health` module for the whole design).

use std::sync::{Arc, Weak};
use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use tokio::sync::Notify;

use crate::health::{Health, RECOVERY_PROBE_INTERVAL};

/// Connects to PostgreSQL within `limit`, reporting the outcome to `health`.
pub(crate) async fn connect_observed(
    url: &str,
    limit: Duration,
    health: &Health,
) -> Result<AsyncPgConnection, diesel::ConnectionError> {
    match tokio::time::timeout(limit, AsyncPgConnection::establish(url)).await {
        Ok(Ok(conn)) => {
            health.mark_up();
            Ok(conn)
        }
        Ok(Err(error)) => {
            health.connect_failed(&error.to_string());
            Err(error)
        }
        Err(_elapsed) => {
            let message = format!("connect timed out after {} ms", limit.as_millis());
            health.mark_down(&message);
            Err(diesel::ConnectionError::BadConnection(message))
        }
    }
}

/// Starts the store's probe task on the current runtime. It holds the state weakly and ends
/// when the store is dropped.
pub(crate) fn start(health: &Arc<Health>, url: String, connect_timeout: Duration) {
    let task = probe(
        Arc::downgrade(health),
        health.wakeup(),
        url,
        connect_timeout,
    );
    // Detached on purpose: its lifetime is the store's, not a handle's.
    drop(tokio::spawn(task));
}

async fn probe(health: Weak<Health>, wakeup: Arc<Notify>, url: String, connect_timeout: Duration) {
    let mut conn: Option<AsyncPgConnection> = None;
    loop {
        let Some(state) = health.upgrade() else {
            return;
        };
        let down = !state.reachability().is_up();
        // Not holding the state while idle, so dropping the store ends this task.
        drop(state);
        if down {
            tokio::time::sleep(RECOVERY_PROBE_INTERVAL).await;
        } else {
            wakeup.notified().await;
        }
        let Some(state) = health.upgrade() else {
            return;
        };
        probe_once(&state, &mut conn, &url, connect_timeout).await;
    }
}

/// One `SELECT 1` on the probe's own connection, reconnecting first if it has none or it
/// failed. A slow answer drops the connection but does not mark the database down.
async fn probe_once(
    health: &Health,
    conn: &mut Option<AsyncPgConnection>,
    url: &str,
    connect_timeout: Duration,
) {
    for _attempt in 0..2 {
        let current = match conn {
            Some(c) => c,
            None => match connect_observed(url, connect_timeout, health).await {
                Ok(c) => conn.insert(c),
                Err(_) => return,
            },
        };
        match tokio::time::timeout(connect_timeout, current.batch_execute("SELECT 1")).await {
            Ok(Ok(())) => {
                health.mark_up();
                return;
            }
            // The connection died (e.g. the server restarted): reconnect once, which tells
            // whether the server is reachable.
            Ok(Err(_)) => *conn = None,
            Err(_slow) => {
                *conn = None;
                return;
            }
        }
    }
}
