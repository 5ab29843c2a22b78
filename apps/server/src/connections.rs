//! Limits on client connections: how many one instance holds, how long a client that
//! stopped reading may keep one, and how long a client may wait for an answer.
//!
//! actix-web leaves both open for a server facing clients directly. Its default is 25,000
//! connections *per worker*, and while a response waits for a client that does not read (its
//! TCP window is zero) no timer runs: the connection, its write buffer and the rest of the
//! answer are kept for as long as the client likes. On the release build, 2,000 such clients
//! held 510 MiB of the server's memory and their connections indefinitely
//! (docs/reliability.md, "Clients that stop reading").
//!
//! The send timeout is the kernel's `TCP_USER_TIMEOUT`, set on each accepted connection: when
//! data sent to the client stays unacknowledged for that long, which includes data waiting
//! for a window the client never opens, the kernel closes the connection, actix-web's next
//! write fails and the connection's buffers are freed. It is the counterpart of nginx's
//! `send_timeout`, and also ends connections to peers that vanished (without it, the kernel
//! retransmits for about 15 minutes). Idle keep-alive connections are not affected: they hold
//! no unacknowledged data, and actix-web's keep-alive timeout (5 s) closes them.
//!
//! The reply timeout covers the other direction, a client that sent part of a request and
//! stopped: see [`crate::reply_deadline`].

use std::sync::Once;
use std::time::Duration;

use actix_web::rt::net::TcpStream;

/// Whether this platform has a send timeout (`TCP_USER_TIMEOUT` is a Linux socket option).
pub const SEND_TIMEOUT_SUPPORTED: bool = cfg!(any(target_os = "linux", target_os = "android"));

/// The client connection limits of one instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Most client connections held at once; further clients wait in the listen backlog until
    /// one closes.
    pub max_connections: usize,
    /// How long data sent to a client may stay unacknowledged before its connection is closed
    /// (`None`: the operating system's behaviour).
    pub send_timeout: Option<Duration>,
    /// How long the server may write nothing to a client that has sent something before the
    /// connection is closed ([`crate::reply_deadline`] has the exact rule).
    pub reply_timeout: Duration,
}

impl ConnectionLimits {
    /// Each HTTP worker's share of [`max_connections`](Self::max_connections): actix-web
    /// counts connections per worker. Rounded down, so the instance never holds more than the
    /// limit, but at least one per worker.
    pub fn per_worker(&self, workers: usize) -> usize {
        (self.max_connections / workers.max(1)).max(1)
    }

    /// Applies the send timeout to an accepted connection's socket.
    pub fn configure(&self, stream: &TcpStream) {
        let Some(timeout) = self.send_timeout else {
            return;
        };
        if let Err(error) = set_send_timeout(stream, timeout) {
            // The same failure would repeat for every connection: say it once.
            static WARNED: Once = Once::new();
            WARNED.call_once(|| {
                tracing::warn!(%error, "could not set the send timeout on a client connection");
            });
        }
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn set_send_timeout(stream: &TcpStream, timeout: Duration) -> std::io::Result<()> {
    socket2::SockRef::from(stream).set_tcp_user_timeout(Some(timeout))
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn set_send_timeout(_: &TcpStream, _: Duration) -> std::io::Result<()> {
    // Start-up says once that the timeout is not applied here (`SEND_TIMEOUT_SUPPORTED`).
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    fn limits(max_connections: usize) -> ConnectionLimits {
        ConnectionLimits {
            max_connections,
            send_timeout: None,
            reply_timeout: Duration::from_secs(30),
        }
    }

    #[test]
    fn the_workers_share_the_limit_without_exceeding_it() {
        assert_eq!(limits(10_000).per_worker(2), 5_000);
        assert_eq!(limits(10_001).per_worker(2), 5_000);
        assert_eq!(limits(7).per_worker(3), 2);
        // Every worker can hold a connection, even when that exceeds a tiny limit.
        assert_eq!(limits(1).per_worker(4), 1);
        assert_eq!(limits(5).per_worker(0), 5);
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[actix_web::test]
    async fn configure_sets_the_send_timeout_on_an_accepted_connection() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let _client = std::net::TcpStream::connect(addr).unwrap();
        let (accepted, _) = listener.accept().await.unwrap();
        ConnectionLimits {
            send_timeout: Some(Duration::from_millis(2_500)),
            ..limits(1)
        }
        .configure(&accepted);
        let set = socket2::SockRef::from(&accepted)
            .tcp_user_timeout()
            .unwrap();
        assert_eq!(set, Some(Duration::from_millis(2_500)));
        // Without a timeout the socket keeps the system's behaviour (no timeout).
        let (other, _) = {
            let _second = std::net::TcpStream::connect(addr).unwrap();
            listener.accept().await.unwrap()
        };
        limits(1).configure(&other);
        assert_eq!(
            socket2::SockRef::from(&other).tcp_user_timeout().unwrap(),
            None
        );
    }
}
