//! Client connection limits of a real `insights serve` process: a client that stops reading
//! loses its connection after the send timeout (and the server keeps serving), a body that
//! does not arrive in time is answered 408, and an instance holds at most `--max-connections`
//! connections, the next client waiting for one to close.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use insights_testkit::TestDb;
use socket2::{Domain, Socket, Type};

use crate::processes::{ServerProcess, wait_until};
use crate::support::SECRET;
use insights_server::auth::JwtKeys;

/// The real binary serving a fresh SQLite database with `extra` flags.
async fn serve(db: &TestDb, extra: &'static [&'static str]) -> ServerProcess {
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || {
        let secret = std::str::from_utf8(SECRET).expect("utf-8 secret");
        let mut args = vec!["--database-url", &url, "--jwt-secret", secret];
        args.extend_from_slice(extra);
        ServerProcess::start(&args)
    })
    .await
    .expect("start server")
}

/// Whether the kernel holds an established TCP connection from `local_port` to `remote_port`
/// (both on 127.0.0.1), as `/proc/net/tcp` lists it: the server's side of a client connection.
fn established(local_port: u16, remote_port: u16) -> bool {
    let table = std::fs::read_to_string("/proc/net/tcp").expect("/proc/net/tcp");
    let port = |address: &str| {
        let (_, hex) = address.split_once(':').expect("address:port");
        u16::from_str_radix(hex, 16).expect("hex port")
    };
    table.lines().skip(1).any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // sl, local_address, rem_address, st ("01" is ESTABLISHED), …
        fields.len() > 3
            && port(fields[1]) == local_port
            && port(fields[2]) == remote_port
            && fields[3] == "01"
    })
}

/// A client connection whose receive buffer is as small as the kernel allows, so that a
/// client that does not read stops the server's writes after a few kilobytes.
fn small_window_client(port: u16) -> TcpStream {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
    socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    socket.connect(&addr.into()).expect("connect");
    socket.into()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_stops_reading_loses_its_connection_after_the_send_timeout() {
    let db = TestDb::sqlite().await;
    let server = serve(&db, &["--send-timeout-ms", "300"]).await;
    let port = server.port;
    tokio::task::spawn_blocking(move || {
        let mut client = small_window_client(port);
        let client_port = client.local_addr().expect("local address").port();
        // 200 pipelined requests for a 14 kB document (2.8 MB of answers), never read.
        let request = "GET /openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".repeat(200);
        client.write_all(request.as_bytes()).expect("send requests");
        assert!(
            established(port, client_port),
            "the server holds the connection"
        );
        wait_until(
            "the server to close the connection of a client that stopped reading",
            Duration::from_secs(30),
            || !established(port, client_port),
        );
        // The server serves everybody else as before.
        assert!(server.text("/healthz").contains("ok"));
        // The client sees the connection gone once it reads past what was delivered (its
        // window update draws a reset: the kernel's abort sent nothing).
        client
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("read timeout");
        let mut sink = [0u8; 64 * 1024];
        let outcome = loop {
            match client.read(&mut sink) {
                Ok(0) => break Ok(()),
                Ok(_) => {}
                Err(error) => break Err(error.kind()),
            }
        };
        assert!(
            matches!(outcome, Ok(()) | Err(ErrorKind::ConnectionReset)),
            "{outcome:?}"
        );
    })
    .await
    .expect("client");
}

/// Sends a keep-alive `GET /healthz`.
fn ask_healthz(client: &mut TcpStream) -> std::io::Result<()> {
    client.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
}

/// Reads one `/healthz` answer (its JSON body ends the answer), or up to the close.
fn read_healthz(client: &mut TcpStream) -> std::io::Result<String> {
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    while !answer.ends_with(b"}") {
        let n = client.read(&mut buf)?;
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
    }
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_instance_holds_at_most_max_connections_and_the_next_client_waits() {
    let db = TestDb::sqlite().await;
    let server = serve(&db, &["--workers", "1", "--max-connections", "2"]).await;
    let port = server.port;
    tokio::task::spawn_blocking(move || {
        let mut held: Vec<TcpStream> = (0..2)
            .map(|_| TcpStream::connect(("127.0.0.1", port)).expect("connect"))
            .collect();
        for client in &mut held {
            ask_healthz(client).expect("send");
            assert!(
                read_healthz(client)
                    .expect("served")
                    .starts_with("HTTP/1.1 200")
            );
        }
        // The third connects (the listen backlog) but is not served while two are held.
        let mut third = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        ask_healthz(&mut third).expect("send");
        third
            .set_read_timeout(Some(Duration::from_millis(500)))
            .expect("read timeout");
        let refused = read_healthz(&mut third).expect_err("served past the limit");
        assert!(
            matches!(refused.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
            "{refused:?}"
        );
        // One closes: the third is accepted and answered.
        drop(held.pop());
        third
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("read timeout");
        let answer = read_healthz(&mut third).expect("answered once a slot is free");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    })
    .await
    .expect("client");
}

/// Sends a POST head with `framing` (a `Content-Length` or `Transfer-Encoding` header) and the
/// first bytes of its body, then nothing; returns everything the server sends until it closes
/// the connection (an error if it has not closed it within 10 s).
fn slow_body(port: u16, token: &str, framing: &str, first: &str) -> std::io::Result<String> {
    let mut client = TcpStream::connect(("127.0.0.1", port))?;
    client.set_read_timeout(Some(Duration::from_secs(10)))?;
    let head = format!(
        "POST /api/analytics/behavioral-insights/patterns HTTP/1.1\r\nHost: 127.0.0.1\r\n\
         Authorization: Bearer {token}\r\nContent-Type: application/json\r\n{framing}\r\n\r\n\
         {first}"
    );
    client.write_all(head.as_bytes())?;
    let mut answer = String::new();
    client.read_to_string(&mut answer)?;
    Ok(answer)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_that_does_not_arrive_in_time_is_answered_408_and_the_connection_closed() {
    // SQLite: there the per-request deadline does not apply, and a slow body was unbounded.
    let db = TestDb::sqlite().await;
    let server = serve(&db, &["--body-timeout-ms", "300"]).await;
    let port = server.port;
    let token = JwtKeys::new(SECRET)
        .issue("u1", false, Duration::from_secs(600))
        .expect("token");
    tokio::task::spawn_blocking(move || {
        // A 1,000-byte body announced, one byte sent; then a chunked body with one chunk sent
        // (a chunked body the server dropped unread used to be drained, the connection kept).
        for (framing, first) in [
            ("Content-Length: 1000", "{"),
            ("Transfer-Encoding: chunked", "1\r\n{\r\n"),
        ] {
            let answer = slow_body(port, &token, framing, first)
                .unwrap_or_else(|e| panic!("{framing}: no answer and close: {e}"));
            assert!(answer.starts_with("HTTP/1.1 408"), "{framing}: {answer}");
            assert!(answer.contains("REQUEST_TIMEOUT"), "{answer}");
            assert!(answer.contains("300 ms"), "{answer}");
        }
        // Bodies that arrive are served as before, and the connection is kept for the next
        // request.
        let mut client = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        client
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("read timeout");
        let body = r#"{"patterns":[]}"#;
        let post = format!(
            "POST /api/analytics/behavioral-insights/patterns HTTP/1.1\r\nHost: 127.0.0.1\r\n\
             Authorization: Bearer {token}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        client.write_all(post.as_bytes()).expect("send");
        let answer = read_healthz(&mut client).expect("answer");
        assert!(
            !answer.starts_with("HTTP/1.1 408") && !answer.starts_with("HTTP/1.1 5"),
            "{answer}"
        );
        ask_healthz(&mut client).expect("second request on the same connection");
        let answer = read_healthz(&mut client).expect("answer");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    })
    .await
    .expect("client");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_left_unfinished_after_the_first_loses_its_connection_after_the_reply_timeout() {
    let db = TestDb::sqlite().await;
    // The shortest reply timeout start-up accepts with a 300 ms body timeout: 5 s for a head,
    // plus the body's time.
    let server = serve(
        &db,
        &["--body-timeout-ms", "300", "--reply-timeout-ms", "5400"],
    )
    .await;
    let port = server.port;
    tokio::task::spawn_blocking(move || {
        let mut client = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        client
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("read timeout");
        for _ in 0..2 {
            ask_healthz(&mut client).expect("send");
            assert!(
                read_healthz(&mut client)
                    .expect("served")
                    .starts_with("HTTP/1.1 200")
            );
        }
        // One byte of the next head, then nothing: actix-web alone kept this connection with
        // no answer for as long as the client liked (no timer after the first head).
        client.write_all(b"G").expect("send one byte");
        let sent = std::time::Instant::now();
        let mut buf = [0u8; 256];
        let outcome = match client.read(&mut buf) {
            Ok(0) => Ok(()),
            Ok(n) => panic!("answered: {}", String::from_utf8_lossy(&buf[..n])),
            Err(error) => Err(error.kind()),
        };
        let closed_after = sent.elapsed();
        assert!(
            matches!(outcome, Ok(()) | Err(ErrorKind::ConnectionReset)),
            "the connection must be closed by the reply timeout: {outcome:?}"
        );
        // Closed by the reply timeout, not by anything shorter (keep-alive is 5 s).
        assert!(
            closed_after >= Duration::from_millis(5_300),
            "closed after {closed_after:?}"
        );
        assert!(server.text("/healthz").contains("ok"));
    })
    .await
    .expect("client");
}
