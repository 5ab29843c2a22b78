//! A deadline on every client connection: once the client has sent something, the server must
//! send something back within the reply timeout, or the connection is closed.
//!
//! actix-web times only a connection's *first* request head (`client_request_timeout`, 5 s).
//! After a response, one byte of the next head clears its keep-alive timer and nothing is timed
//! again: a client that sends `G` and stops holds the connection for as long as it likes
//! (measured: no answer and no close in 25 s), and [`max_connections`] of them lock an instance
//! out. The dispatcher offers no hook for this, so the timer lives below it, in the stream it
//! reads and writes ([`ReplyDeadline`]), where "bytes came in" and "bytes went out" are all
//! that can be seen — and all that is needed:
//!
//! - the timer starts with the first byte read after the last byte written, and stops at the
//!   next byte written;
//! - a connection waiting in keep-alive (nothing read since the last response) has no timer
//!   running: actix-web's keep-alive timeout closes it;
//! - a response the client does not read is the send timeout's business
//!   ([`crate::connections`]): bytes written stop this timer.
//!
//! The timeout must therefore exceed the longest a legitimate request may go unanswered: its
//! body's time to arrive plus the handler's time (`--body-timeout-ms` +
//! `--request-timeout-ms`, checked at start-up in [`crate::config`]). When it expires the next
//! read or write of the dispatcher fails with [`std::io::ErrorKind::TimedOut`] and actix-web
//! drops the connection, as it does for a peer that vanished: there is no request to answer.
//!
//! [`max_connections`]: crate::connections::ConnectionLimits::max_connections

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// A client stream whose reads and writes fail once the client has waited longer than the
/// reply timeout for an answer (see the [module docs](self)).
#[derive(Debug)]
pub struct ReplyDeadline<S> {
    inner: S,
    timeout: Duration,
    /// When the client's unanswered bytes started arriving (`None`: nothing unanswered).
    waiting_since: Option<Instant>,
    /// Wakes the connection's task at a deadline. It is reset only when it would fire too late
    /// or has fired, not at each request: a request answered within the timeout costs one
    /// clock read, and the timer wheel is touched at most about once per timeout.
    timer: Pin<Box<Sleep>>,
}

impl<S> ReplyDeadline<S> {
    /// Wraps an accepted connection.
    pub fn new(inner: S, timeout: Duration) -> Self {
        Self {
            inner,
            timeout,
            waiting_since: None,
            timer: Box::pin(tokio::time::sleep(timeout)),
        }
    }

    /// The wrapped stream.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Fails once the client has waited past the timeout; otherwise makes sure the task is
    /// woken when it would.
    fn poll_deadline(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        let Some(since) = self.waiting_since else {
            return Ok(());
        };
        let due = since + self.timeout;
        if self.timer.deadline() > due {
            self.timer.as_mut().reset(due);
        }
        // At most twice round: a timer left from an earlier wait fires before `due` and is
        // moved to `due`; a timer at `due` that fires ends the wait.
        while self.timer.as_mut().poll(cx).is_ready() {
            if self.timer.deadline() >= due {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the client waited past the reply timeout",
                ));
            }
            self.timer.as_mut().reset(due);
        }
        Ok(())
    }

    fn wrote(&mut self, written: usize) {
        if written > 0 {
            self.waiting_since = None;
        }
    }

    /// The outcome of a write-side poll: progress stops the wait, a pending write is
    /// checked against the deadline.
    fn after_write<T>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<T>>,
        written: impl FnOnce(&T) -> usize,
    ) -> Poll<io::Result<T>> {
        match polled {
            Poll::Ready(Ok(value)) => {
                self.wrote(written(&value));
                Poll::Ready(Ok(value))
            }
            Poll::Pending => match self.poll_deadline(cx) {
                Ok(()) => Poll::Pending,
                Err(error) => Poll::Ready(Err(error)),
            },
            failed => failed,
        }
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
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before && this.waiting_since.is_none() {
                    this.waiting_since = Some(Instant::now());
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending => match this.poll_deadline(cx) {
                Ok(()) => Poll::Pending,
                Err(error) => Poll::Ready(Err(error)),
            },
            failed => failed,
        }
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
        this.after_write(cx, polled, |n| *n)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.after_write(cx, polled, |n| *n)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_flush(cx);
        this.after_write(cx, polled, |()| 0)
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

    const TIMEOUT: Duration = Duration::from_millis(150);

    /// The server's end wrapped, and the client's end.
    fn connection() -> (ReplyDeadline<DuplexStream>, DuplexStream) {
        let (server, client) = duplex(1024);
        (ReplyDeadline::new(server, TIMEOUT), client)
    }

    #[tokio::test]
    async fn an_unanswered_partial_request_fails_the_read_after_the_timeout() {
        let (mut server, mut client) = connection();
        client.write_all(b"G").await.unwrap();
        let mut buf = [0; 16];
        assert_eq!(server.read(&mut buf).await.unwrap(), 1);
        let started = Instant::now();
        let error = server.read(&mut buf).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= TIMEOUT - Duration::from_millis(5));
    }

    #[tokio::test]
    async fn an_answer_stops_the_timer_and_the_next_request_starts_a_new_one() {
        let (mut server, mut client) = connection();
        let mut buf = [0; 16];
        for _ in 0..3 {
            client.write_all(b"GET").await.unwrap();
            assert_eq!(server.read(&mut buf).await.unwrap(), 3);
            // Each request is answered within the timeout, though together they exceed it.
            tokio::time::sleep(TIMEOUT / 2).await;
            server.write_all(b"200").await.unwrap();
            client.read_exact(&mut buf[..3]).await.unwrap();
        }
        // Nothing unanswered: an idle connection is not this timer's business.
        let idle = tokio::time::timeout(TIMEOUT * 2, server.read(&mut buf)).await;
        assert!(idle.is_err(), "the read must still be waiting: {idle:?}");
    }

    #[tokio::test]
    async fn a_client_that_sends_more_but_reads_nothing_fails_the_blocked_write() {
        // A one-byte pipe: the first answer fills it, and the client never reads.
        let (server, mut client) = duplex(1);
        let mut server = ReplyDeadline::new(server, TIMEOUT);
        server.write_all(b"1").await.unwrap();
        client.write_all(b"G").await.unwrap();
        let mut buf = [0; 1];
        server.read_exact(&mut buf).await.unwrap();
        let error = server.write_all(b"2").await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    }
}
