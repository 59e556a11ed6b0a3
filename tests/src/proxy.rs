//! A TCP proxy between a device and its bureau, for networks that cut or crawl.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use anyhow::Result;

/// How the proxy breaks a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Close after this many bytes of the request have reached the bureau.
    Request(usize),
    /// Close after this many bytes of the response have reached the client.
    Response(usize),
}

/// A TCP proxy in front of a bureau: a network that drops in the middle of a push, or a
/// slow one. Connections number from 0 in the order they are made.
#[derive(Debug)]
pub struct CuttingProxy {
    pub addr: String,
}

impl CuttingProxy {
    /// Breaks connections `skip .. skip + broken` as `cut` says; passes the others through.
    pub fn start(upstream: &str, cut: Cut, skip: usize, broken: usize) -> Result<Self> {
        Self::spawn(upstream, move |n| ((skip..skip + broken).contains(&n).then_some(cut), Duration::ZERO))
    }

    /// Passes everything through, pausing `delay` after every 8 KiB: a slow site network.
    pub fn throttled(upstream: &str, delay: Duration) -> Result<Self> {
        Self::spawn(upstream, move |_| (None, delay))
    }

    fn spawn(upstream: &str, plan: impl Fn(usize) -> (Option<Cut>, Duration) + Send + 'static) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?.to_string();
        let upstream = upstream.to_owned();
        std::thread::spawn(move || {
            for (n, client) in listener.incoming().enumerate() {
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(&upstream) else { continue };
                let (cut, delay) = plan(n);
                std::thread::spawn(move || relay(client, server, cut, delay));
            }
        });
        Ok(CuttingProxy { addr })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

fn relay(client: TcpStream, server: TcpStream, cut: Option<Cut>, delay: Duration) {
    let (request_limit, response_limit) = match cut {
        Some(Cut::Request(n)) => (Some(n), None),
        Some(Cut::Response(n)) => (None, Some(n)),
        None => (None, None),
    };
    let (c2, s2) = (client.try_clone(), server.try_clone());
    let (Ok(c2), Ok(s2)) = (c2, s2) else { return };
    let up = std::thread::spawn(move || pipe(c2, s2, request_limit, delay));
    pipe(server, client, response_limit, delay);
    let _ = up.join();
}

/// Copies `from` to `to`, closing both after `limit` bytes when a limit is set.
fn pipe(mut from: TcpStream, mut to: TcpStream, limit: Option<usize>, delay: Duration) {
    let mut sent = 0usize;
    let mut buf = [0u8; 8192];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let n = limit.map_or(n, |l| n.min(l.saturating_sub(sent)));
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
        sent += n;
        if limit.is_some_and(|l| sent >= l) {
            break;
        }
    }
    let _ = from.shutdown(std::net::Shutdown::Both);
    let _ = to.shutdown(std::net::Shutdown::Both);
}
