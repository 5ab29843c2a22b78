//! A deadline on every client connection: once the client has sent something, the server must
//! write within the reply timeout, and go on writing, or the connection is closed.
//!
//! actix-web times only a connection's *first* request head (`client_request_timeout`, 5 s).
//! After a response, one byte of the next head clears its keep-alive timer and nothing is timed
//! again: a client that sends `G` and stops holds the connection for as long as it likes
//! (measured: no answer and no close in 25 s), and [`max_connections`] of them lock an instance
//! out. The dispatcher offers no hook for this, so the timer lives below it, in the stream it
//! reads and writes ([`ReplyDeadline`]), where only "bytes came in" and "bytes went out" can be
//! seen. The rule is therefore about those:
//!
//! - the timer starts at the client's first byte;
//! - every byte the server writes restarts it, and so does the client's first byte after a
//!   write (a new request is timed from its own start, not from the previous answer);
//! - nothing stops it, except a blocked write (below): bytes read while an answer was being
//!   written may be the start of the next request, and the stream cannot tell when they have
//!   been answered. While no write is blocked, a client's unanswered bytes are thus always
//!   within one timeout of the server's last write, whatever their timing.
//!
//! What that means for the connections the server sees:
//!
//! - a request is answered, or its connection closed, within the timeout of its first byte;
//!   the timeout must exceed the longest a legitimate request may go unanswered: 5 s for its
//!   head, its body's time to arrive and the handler's time (`--body-timeout-ms` and, on
//!   PostgreSQL, `--request-timeout-ms`; checked at start-up in [`crate::config`]);
//! - an idle keep-alive connection is closed by the keep-alive timeout (5 s) first;
//! - while a write cannot proceed (the client does not accept the answer) the timer is
//!   suspended when a send timeout is in force: that is its business
//!   ([`crate::connections`]), and the first byte written afterwards restarts the timer.
//!   Without one (switched off, or not Linux) the timer ends such a connection too.
//!
//! When the timeout expires, the dispatcher's next read fails with
//! [`std::io::ErrorKind::TimedOut`] and actix-web drops the connection, as it does for a peer
//! that vanished: there is no complete request to answer.
//!
//! [`max_connections`]: crate::connections::ConnectionLimits::max_connections

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// A client stream whose reads and writes fail once the server has written nothing for the
/// reply timeout since the client started waiting (see the [module docs](self)).
#[derive(Debug)]
pub struct ReplyDeadline<S> {
    inner: S,
    timeout: Duration,
    /// Whether the client has sent anything: the timer runs only from its first byte.
    client_started: bool,
    /// Whether the client's next byte restarts the timeout: it follows a write.
    wrote_last: bool,
    /// Whether the last write could not proceed: the timer is suspended until one does.
    write_blocked: bool,
    /// Whether a blocked write suspends the timer: only when a send timeout is in force.
    park_on_blocked_write: bool,
    /// Set to the current deadline whenever it moves, so that it wakes the connection's task
    /// only when the deadline is really reached: an early wake lets actix-http's dispatcher
    /// encode more of a blocked answer into its buffer (measured: 90 MiB more for 1,024 clients
    /// that stopped reading). Moving a tokio timer later is one atomic operation; the wheel is
    /// touched only when it moves earlier (a blocked write that proceeds again).
    timer: Pin<Box<Sleep>>,
}

/// Where the timer waits while it is not running: far enough never to fire in practice.
const PARKED: Duration = Duration::from_secs(7 * 24 * 3600);

impl<S> ReplyDeadline<S> {
    /// Wraps an accepted connection. `send_timeout_in_force`: whether something else (the
    /// kernel's send timeout) ends a connection whose client does not accept data; if so, the
    /// timer is suspended while a write is blocked, and otherwise it ends that connection too.
    pub fn new(inner: S, timeout: Duration, send_timeout_in_force: bool) -> Self {
        Self {
            inner,
            timeout,
            client_started: false,
            wrote_last: false,
            write_blocked: false,
            park_on_blocked_write: send_timeout_in_force,
            timer: Box::pin(tokio::time::sleep(PARKED)),
        }
    }

    /// Whether the timer runs: the client has sent something, and no write is blocked.
    fn running(&self) -> bool {
        self.client_started && !self.write_blocked
    }

    fn restart(&mut self) {
        self.client_started = true;
        // A blocked write keeps the timer parked: the write that unblocks restarts it.
        if !self.write_blocked {
            self.timer.as_mut().reset(Instant::now() + self.timeout);
        }
    }

    fn client_sent(&mut self, bytes: usize) {
        if bytes > 0 && (!self.client_started || self.wrote_last) {
            self.wrote_last = false;
            self.restart();
        }
    }

    fn server_sent(&mut self, bytes: usize) {
        if bytes > 0 {
            self.wrote_last = true;
            self.write_blocked = false;
            self.restart();
        }
    }

    fn write_pending(&mut self) {
        if self.park_on_blocked_write && self.running() {
            self.write_blocked = true;
            self.timer.as_mut().reset(Instant::now() + PARKED);
        }
    }

    /// Fails once the timeout has passed; otherwise makes sure the task is woken when it does.
    fn poll_deadline(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        if !self.running() || self.timer.as_mut().poll(cx).is_pending() {
            return Ok(());
        }
        tracing::debug!(
            wrote_last = self.wrote_last,
            "reply timeout: closing the connection"
        );
        Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the server wrote nothing to a waiting client for the reply timeout",
        ))
    }

    /// The outcome of a read: bytes restart or start the timer, waiting is checked against it.
    fn after_read(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<()>>,
        read: usize,
    ) -> Poll<io::Result<()>> {
        match polled {
            Poll::Ready(Ok(())) => {
                self.client_sent(read);
                Poll::Ready(Ok(()))
            }
            Poll::Pending => match self.poll_deadline(cx) {
                Ok(()) => Poll::Pending,
                Err(error) => Poll::Ready(Err(error)),
            },
            failed => failed,
        }
    }

    /// The outcome of a write: bytes restart the timer, a write that cannot proceed suspends it.
    fn after_write(&mut self, polled: Poll<io::Result<usize>>) -> Poll<io::Result<usize>> {
        match &polled {
            Poll::Ready(Ok(written)) => self.server_sent(*written),
            Poll::Pending => self.write_pending(),
            Poll::Ready(Err(_)) => {}
        }
        polled
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for ReplyDeadline<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        let read = buf.filled().len() - before;
        this.after_read(cx, polled, read)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ReplyDeadline<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.after_write(polled)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.after_write(polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // A flush writes nothing of its own: it neither restarts nor parks the timer.
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream, duplex};

    // The clock is paused in these tests: tokio moves it to the next timer whenever every task
    // waits, so the timings below are exact and the tests take no real time.
    const TIMEOUT: Duration = Duration::from_secs(30);

    /// The server's end wrapped, and the client's end, with `capacity` bytes of buffer each way.
    fn connection(capacity: usize) -> (ReplyDeadline<DuplexStream>, DuplexStream) {
        let (server, client) = duplex(capacity);
        (ReplyDeadline::new(server, TIMEOUT, true), client)
    }

    /// Reads on the server until the read fails; returns the error's kind and when it came.
    async fn read_until_failure(
        server: &mut ReplyDeadline<DuplexStream>,
    ) -> (io::ErrorKind, Instant) {
        let mut buf = [0; 64];
        let failure = tokio::time::timeout(TIMEOUT * 10, async {
            loop {
                if let Err(error) = server.read(&mut buf).await {
                    return error.kind();
                }
            }
        })
        .await
        .expect("the read must fail within ten timeouts");
        (failure, Instant::now())
    }

    #[tokio::test(start_paused = true)]
    async fn an_unanswered_partial_request_fails_the_read_one_timeout_after_its_first_byte() {
        let (mut server, mut client) = connection(1024);
        let started = Instant::now();
        client.write_all(b"G").await.unwrap();
        let dripping = async {
            // More bytes of the head, slowly: they do not extend the deadline.
            for _ in 0..5 {
                tokio::time::sleep(TIMEOUT / 4).await;
                let _ = client.write_all(b"E").await;
            }
        };
        let ((kind, failed_at), ()) = tokio::join!(read_until_failure(&mut server), dripping);
        assert_eq!(kind, io::ErrorKind::TimedOut);
        assert_eq!(failed_at - started, TIMEOUT);
    }

    #[tokio::test(start_paused = true)]
    async fn each_request_is_timed_from_its_own_first_byte() {
        let (mut server, mut client) = connection(1024);
        let mut buf = [0; 16];
        for _ in 0..3 {
            // The client comes back after a pause, the server answers within the timeout:
            // together they exceed it several times over.
            tokio::time::sleep(TIMEOUT * 2 / 3).await;
            client.write_all(b"GET").await.unwrap();
            assert_eq!(server.read(&mut buf).await.unwrap(), 3);
            tokio::time::sleep(TIMEOUT * 2 / 3).await;
            server.write_all(b"200").await.unwrap();
            client.read_exact(&mut buf[..3]).await.unwrap();
        }
        // Silence after the last answer: the timer runs from it (keep-alive closes an idle
        // connection well before, in the server).
        let answered = Instant::now();
        let (kind, failed_at) = read_until_failure(&mut server).await;
        assert_eq!(kind, io::ErrorKind::TimedOut);
        assert_eq!(failed_at - answered, TIMEOUT);
    }

    #[tokio::test(start_paused = true)]
    async fn bytes_read_while_an_answer_was_written_stay_timed_after_it() {
        // A 4-byte pipe: the answer cannot get out until the client reads.
        let (mut server, mut client) = connection(4);
        client.write_all(b"GET").await.unwrap();
        let mut buf = [0; 8];
        server.read_exact(&mut buf[..3]).await.unwrap();
        let client_side = async {
            // The start of the next request arrives while the answer is blocked, then the
            // client reads the whole answer and sends nothing more.
            tokio::time::sleep(Duration::from_secs(1)).await;
            client.write_all(b"G").await.unwrap();
            let mut answer = [0; 8];
            client.read_exact(&mut answer).await.unwrap();
            client
        };
        let server_side = async {
            // As actix-http's dispatcher does: read whatever arrives while writing the answer.
            let mut answer: &[u8] = b"200 OK\r\n";
            let mut early = [0; 8];
            let mut early_bytes = 0;
            std::future::poll_fn(|cx| {
                let mut unread = ReadBuf::new(&mut early[early_bytes..]);
                if let Poll::Ready(read) = Pin::new(&mut server).poll_read(cx, &mut unread) {
                    read.unwrap();
                    early_bytes += unread.filled().len();
                }
                while !answer.is_empty() {
                    match Pin::new(&mut server).poll_write(cx, answer) {
                        Poll::Ready(written) => answer = &answer[written.unwrap()..],
                        Poll::Pending => return Poll::Pending,
                    }
                }
                Poll::Ready(())
            })
            .await;
            assert_eq!(
                &early[..early_bytes],
                b"G",
                "read while the answer was blocked"
            );
            let answered = Instant::now();
            (read_until_failure(&mut server).await, answered)
        };
        let (_client, ((kind, failed_at), answered)) = tokio::join!(client_side, server_side);
        assert_eq!(kind, io::ErrorKind::TimedOut);
        assert_eq!(failed_at - answered, TIMEOUT);
    }

    #[tokio::test(start_paused = true)]
    async fn an_answer_the_client_does_not_accept_is_left_to_the_send_timeout() {
        let (mut server, mut client) = connection(4);
        client.write_all(b"GET").await.unwrap();
        let mut buf = [0; 3];
        server.read_exact(&mut buf).await.unwrap();
        let blocked = tokio::time::timeout(TIMEOUT * 10, async {
            server.write_all(b"a long answer").await.unwrap();
        })
        .await;
        assert!(blocked.is_err(), "the write must still be waiting");
        // Reads wait as well while the write is blocked (the dispatcher polls both).
        let mut more = [0; 1];
        let waited = tokio::time::timeout(TIMEOUT * 10, server.read(&mut more)).await;
        assert!(
            waited.is_err(),
            "the read must still be waiting: {waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn without_a_send_timeout_a_blocked_answer_ends_one_timeout_after_the_last_byte_out() {
        let (server, mut client) = duplex(4);
        let mut server = ReplyDeadline::new(server, TIMEOUT, false);
        client.write_all(b"GET").await.unwrap();
        let mut buf = [0; 3];
        server.read_exact(&mut buf).await.unwrap();
        let started = Instant::now();
        let mut answer: &[u8] = b"a long answer";
        let mut unread = [0; 1];
        // As the dispatcher does: write what it can, and poll reads meanwhile.
        let outcome = tokio::time::timeout(
            TIMEOUT * 10,
            std::future::poll_fn(|cx| {
                while !answer.is_empty() {
                    match Pin::new(&mut server).poll_write(cx, answer) {
                        Poll::Ready(Ok(written)) => answer = &answer[written..],
                        Poll::Ready(Err(error)) => return Poll::Ready(Err::<(), _>(error)),
                        Poll::Pending => break,
                    }
                }
                let mut read = ReadBuf::new(&mut unread);
                match Pin::new(&mut server).poll_read(cx, &mut read) {
                    Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
                    _ => Poll::Pending,
                }
            }),
        )
        .await
        .expect("the connection must fail within ten timeouts");
        assert_eq!(outcome.unwrap_err().kind(), io::ErrorKind::TimedOut);
        // The first 4 bytes went out at once; the timeout counts from them.
        assert_eq!(started.elapsed(), TIMEOUT);
    }

    #[tokio::test(start_paused = true)]
    async fn a_connection_the_client_never_spoke_on_is_not_timed() {
        let (mut server, _client) = connection(1024);
        let mut buf = [0; 1];
        let waited = tokio::time::timeout(TIMEOUT * 10, server.read(&mut buf)).await;
        assert!(
            waited.is_err(),
            "the read must still be waiting: {waited:?}"
        );
    }
}
