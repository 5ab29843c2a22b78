//! The HTTP server: actix-server's listener and workers, actix-http's HTTP/1 connections and the
//! actix-web application, assembled as actix-web's `HttpServer` assembles them, with one
//! difference: each accepted connection is wrapped in a [`ReplyDeadline`] before actix-http
//! sees it. `HttpServer` hands actix-http the bare `TcpStream` and has no hook to wrap it, and
//! that deadline cannot live anywhere above the stream (see [`crate::reply_deadline`]).
//!
//! What `HttpServer` would otherwise have done is kept: one listener with a backlog of 1,024,
//! `TCP_NODELAY` and the send timeout on each connection ([`crate::connections`]), keep-alive
//! 5 s, 5 s for a connection's first request head, 1 s to close a connection cleanly, at most
//! [`ConnectionLimits::per_worker`] connections per worker, idle keep-alive connections closed
//! at once when shutdown starts, and in-flight requests given `shutdown_timeout` to finish.
//! actix-server stops on SIGINT and SIGTERM.

use std::net::SocketAddr;
use std::time::Duration;

use actix_http::error::DispatchError;
use actix_http::{HttpService, KeepAlive};
use actix_server::Server;
use actix_service::{IntoServiceFactory as _, ServiceFactoryExt as _, fn_service, map_config};
use actix_web::dev::AppConfig;
use actix_web::rt::net::TcpStream;

use crate::app::{AppState, app};
use crate::connections::{ConnectionLimits, SEND_TIMEOUT_SUPPORTED};
use crate::reply_deadline::ReplyDeadline;

/// Clients waiting to be accepted: actix-web's default. Past the connection limit new clients
/// wait here; past this the kernel refuses them.
const LISTEN_BACKLOG: i32 = 1024;
/// How long an idle keep-alive connection is kept (actix-web's default).
const KEEP_ALIVE: Duration = Duration::from_secs(5);
/// How long a connection's first request head may take to arrive (actix-web's default); later
/// heads are bounded by the reply timeout.
pub const FIRST_HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// How long closing a connection may wait for the client (actix-web's default).
const DISCONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// How the server treats its clients.
#[derive(Debug, Clone, Copy)]
pub struct HttpSettings {
    /// HTTP workers (threads), each with its own event loop and copy of the application.
    pub workers: usize,
    /// Connection count, send and reply timeouts.
    pub limits: ConnectionLimits,
    /// How long in-flight requests may take to finish once shutdown starts.
    pub shutdown_timeout: Duration,
}

/// Binds `addr` and builds the server; it runs when the returned [`Server`] is awaited.
/// Returns the bound address too (the port, when `addr` asked for any).
pub fn bind(
    state: AppState,
    addr: SocketAddr,
    settings: HttpSettings,
) -> std::io::Result<(Server, SocketAddr)> {
    let listener = listen(addr)?;
    let local_addr = listener.local_addr()?;
    // `run` below starts nothing yet: the server runs when the caller awaits it.
    let builder = Server::build()
        .workers(settings.workers)
        .max_concurrent_connections(settings.limits.per_worker(settings.workers))
        .shutdown_timeout(settings.shutdown_timeout.as_secs());
    let shutdown = builder.graceful_shutdown_signal();
    let server = builder
        .listen("insights-http", listener, move || {
            let shutdown = shutdown.clone();
            let http = HttpService::build()
                // Closes idle keep-alive connections as soon as shutdown starts, as
                // `HttpServer` does (a hidden but public builder method of actix-http).
                .graceful_shutdown_signal(move || {
                    let shutdown = shutdown.clone();
                    async move { shutdown.notified().await }
                })
                .keep_alive(KeepAlive::Timeout(KEEP_ALIVE))
                .client_request_timeout(FIRST_HEAD_TIMEOUT)
                .client_disconnect_timeout(DISCONNECT_TIMEOUT)
                .local_addr(local_addr)
                .h1(map_config(
                    app(state.clone())
                        .into_factory()
                        .map_err(|error| error.error_response()),
                    // `HttpServer` passes the bound address here (`AppConfig::new` is private
                    // to actix-web). actix-web reads it only for `url_for`, `app_config()` and
                    // `ConnectionInfo::host()` of a request without a Host header, none of
                    // which this application uses.
                    |()| AppConfig::default(),
                ));
            let limits = settings.limits;
            let reply_timeout = limits.reply_timeout;
            let send_timeout_in_force = limits.send_timeout.is_some() && SEND_TIMEOUT_SUPPORTED;
            fn_service(move |stream: TcpStream| async move {
                // A response written in several pieces (a large answer in slices, a streamed
                // one) must not wait for the client's delayed ACK before its last small piece
                // (Nagle's algorithm): that held large cached answers for 40 ms at p99.
                let _ = stream.set_nodelay(true);
                limits.configure(&stream);
                let peer = stream.peer_addr().ok();
                Ok::<_, DispatchError>((
                    ReplyDeadline::new(stream, reply_timeout, send_timeout_in_force),
                    peer,
                ))
            })
            .and_then(http)
        })?
        .run();
    Ok((server, local_addr))
}

/// A listening socket as actix-web makes one: address reuse (a restart need not wait for the
/// old connections' TIME_WAIT) and the backlog above.
fn listen(addr: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    #[cfg(not(windows))]
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(LISTEN_BACKLOG)?;
    Ok(socket.into())
}
