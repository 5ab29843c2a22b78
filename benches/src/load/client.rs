//! One keep-alive HTTP/1.1 connection to the server, opened by hand so the driver holds exactly
//! the number of connections it was asked for.

use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// A connection and the task driving it.
pub struct Connection {
    sender: SendRequest<Empty<Bytes>>,
    host: String,
    driver: tokio::task::JoinHandle<()>,
}

impl Connection {
    /// Connects and performs the HTTP/1.1 handshake.
    pub async fn open(addr: SocketAddr) -> Result<Self, String> {
        let stream = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connect {addr}: {e}"))?;
        // Requests are tiny; Nagle would only add latency.
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        let driver = tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(Self {
            sender,
            host: addr.to_string(),
            driver,
        })
    }

    /// GET `path_and_query`, reading the body and dropping it chunk by chunk, as wrk does (a
    /// copy into one buffer would charge the client for work the original's client never did).
    /// Returns the status and the body's length.
    pub async fn get(
        &mut self,
        path_and_query: &str,
        bearer: Option<&str>,
    ) -> Result<(StatusCode, usize), String> {
        let mut body = self.send(path_and_query, bearer).await?;
        let status = body.status();
        let mut length = 0;
        while let Some(frame) = body.body_mut().frame().await {
            let frame = frame.map_err(|e| format!("body: {e}"))?;
            length += frame.data_ref().map_or(0, Bytes::len);
        }
        Ok((status, length))
    }

    /// GET `path_and_query`, collecting the whole body.
    pub async fn get_body(
        &mut self,
        path_and_query: &str,
        bearer: Option<&str>,
    ) -> Result<(StatusCode, Bytes), String> {
        let response = self.send(path_and_query, bearer).await?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("body: {e}"))?
            .to_bytes();
        Ok((status, body))
    }

    async fn send(
        &mut self,
        path_and_query: &str,
        bearer: Option<&str>,
    ) -> Result<hyper::Response<hyper::body::Incoming>, String> {
        self.sender
            .ready()
            .await
            .map_err(|e| format!("connection lost: {e}"))?;
        let mut request = Request::get(path_and_query).header(header::HOST, &self.host);
        if let Some(token) = bearer {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = request
            .body(Empty::new())
            .map_err(|e| format!("bad request {path_and_query}: {e}"))?;
        self.sender
            .send_request(request)
            .await
            .map_err(|e| format!("request failed: {e}"))
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

/// One GET on a fresh connection (for `/metrics` scrapes and the start-up probe).
pub async fn get_once(addr: SocketAddr, path: &str) -> Result<(StatusCode, String), String> {
    let mut conn = Connection::open(addr).await?;
    let (status, body) = conn.get_body(path, None).await?;
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}
