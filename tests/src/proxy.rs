//! TCP proxies between a device and its bureau: networks that cut or crawl, and a load
//! balancer in front of several bureau processes.

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
fn pipe(from: TcpStream, to: TcpStream, limit: Option<usize>, delay: Duration) {
    pipe_counting(from, to, limit, delay, |_| ());
}

/// [`pipe`], telling `count` how many bytes went through as they go.
fn pipe_counting(mut from: TcpStream, mut to: TcpStream, limit: Option<usize>, delay: Duration, count: impl Fn(u64)) {
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
        count(n as u64);
        sent += n;
        if limit.is_some_and(|l| sent >= l) {
            break;
        }
    }
    let _ = from.shutdown(std::net::Shutdown::Both);
    let _ = to.shutdown(std::net::Shutdown::Both);
}

/// What a [`FaultyLink`] does to the bytes going to the bureau, set while it runs.
#[derive(Debug, Default)]
struct Faults {
    /// Request bytes passed to the bureau so far, over every connection.
    forwarded: u64,
    /// When `forwarded` reaches each of these, the connection carrying that byte is closed
    /// (after passing bytes up to it): a cut in the middle of whatever was being sent.
    cuts_at: std::collections::VecDeque<u64>,
    /// Flip one bit of the byte that ends the next occurrence of this pattern in a request.
    flip_after: Option<Vec<u8>>,
    flipped: u32,
    /// A pause before passing each read on: a slow link.
    delay: Duration,
    /// Where new connections go.
    upstream: String,
}

/// A TCP link to the bureau that counts the bytes sent to it, cuts connections at chosen
/// points of the stream, and flips a bit in transit: a site network at its worst, under the
/// test's control while the device uses it.
#[derive(Debug, Clone)]
pub struct FaultyLink {
    pub addr: String,
    faults: std::sync::Arc<std::sync::Mutex<Faults>>,
}

impl FaultyLink {
    pub fn start(upstream: &str) -> Result<Self> {
        Self::start_on("127.0.0.1:0", upstream)
    }

    /// As [`FaultyLink::start`], listening on `listen` (the address a device already knows).
    pub fn start_on(listen: &str, upstream: &str) -> Result<Self> {
        let listener = TcpListener::bind(listen)?;
        let link = FaultyLink { addr: listener.local_addr()?.to_string(), faults: Default::default() };
        link.set_upstream(upstream);
        let faults = link.faults.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let upstream = faults.lock().unwrap_or_else(|p| p.into_inner()).upstream.clone();
                let Ok(server) = TcpStream::connect(&upstream) else { continue };
                let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) else { continue };
                let faults = faults.clone();
                std::thread::spawn(move || faulty_pipe(c2, s2, &faults));
                std::thread::spawn(move || pipe(server, client, None, Duration::ZERO));
            }
        });
        Ok(link)
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Sends new connections to `upstream` (a bureau started again elsewhere).
    pub fn set_upstream(&self, upstream: &str) {
        upstream.clone_into(&mut self.lock().upstream);
    }

    /// Request bytes the bureau has been sent through this link so far.
    pub fn forwarded(&self) -> u64 {
        self.lock().forwarded
    }

    /// Cuts the connection when the bureau has been sent `at` more bytes from now, for each.
    pub fn cut_after(&self, at: &[u64]) {
        let mut faults = self.lock();
        let base = faults.forwarded;
        faults.cuts_at = at.iter().map(|a| base + a).collect();
    }

    /// Cuts still to come.
    pub fn cuts_left(&self) -> usize {
        self.lock().cuts_at.len()
    }

    /// Flips a bit in the byte ending the next occurrence of `pattern` sent to the bureau.
    pub fn flip_after(&self, pattern: &[u8]) {
        self.lock().flip_after = Some(pattern.to_vec());
    }

    /// Pauses this long before passing on each read of up to 64 KiB (a slow link).
    pub fn slow_down(&self, delay: Duration) {
        self.lock().delay = delay;
    }

    /// How many bytes were flipped.
    pub fn flipped(&self) -> u32 {
        self.lock().flipped
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Faults> {
        self.faults.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn faulty_pipe(mut from: TcpStream, mut to: TcpStream, faults: &std::sync::Mutex<Faults>) {
    let mut buf = vec![0u8; 65536];
    // The end of the previous read, so a pattern split between two reads is still found.
    let mut tail: Vec<u8> = Vec::new();
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let (pass, cut, delay) = {
            let mut f = faults.lock().unwrap_or_else(|p| p.into_inner());
            let (pass, cut) = match f.cuts_at.front() {
                Some(&at) if f.forwarded + n as u64 >= at => {
                    f.cuts_at.pop_front();
                    ((at - f.forwarded.min(at)) as usize, true)
                }
                _ => (n, false),
            };
            if let Some(pattern) = f.flip_after.clone() {
                let mut window = tail.clone();
                window.extend_from_slice(&buf[..pass]);
                if let Some(end) = window.windows(pattern.len()).position(|w| w == pattern.as_slice()) {
                    let at = end + pattern.len() - 1;
                    if at >= tail.len() {
                        buf[at - tail.len()] ^= 0x01;
                        f.flip_after = None;
                        f.flipped += 1;
                    }
                }
            }
            f.forwarded += pass as u64;
            (pass, cut, f.delay)
        };
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
        let keep = buf[..pass].len().min(64);
        tail = buf[pass - keep..pass].to_vec();
        if to.write_all(&buf[..pass]).is_err() || cut {
            break;
        }
    }
    let _ = from.shutdown(std::net::Shutdown::Both);
    let _ = to.shutdown(std::net::Shutdown::Both);
}

/// What a [`RoundRobin`] has done, per upstream, in the order the upstreams were given.
#[derive(Debug, Default)]
struct Rotation {
    upstreams: Vec<String>,
    /// The upstream the next connection tries first.
    next: usize,
    /// Connections each upstream took.
    connections: Vec<u64>,
    /// Request bytes each upstream was sent.
    forwarded: Vec<u64>,
    /// Close each connection after this many request bytes (None: never).
    cut_each_after: Option<usize>,
}

/// A load balancer in front of several bureau processes: each new connection goes to the next
/// upstream in turn, and one that refuses the connection (a process that stopped) is passed
/// over for the one after, as a balancer's health check would. Keeps counts per upstream, so a
/// test can tell that every process served.
#[derive(Debug, Clone)]
pub struct RoundRobin {
    pub addr: String,
    rotation: std::sync::Arc<std::sync::Mutex<Rotation>>,
}

impl RoundRobin {
    pub fn start(upstreams: &[String]) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let rotation = Rotation {
            upstreams: upstreams.to_vec(),
            connections: vec![0; upstreams.len()],
            forwarded: vec![0; upstreams.len()],
            ..Default::default()
        };
        let balancer =
            RoundRobin { addr: listener.local_addr()?.to_string(), rotation: std::sync::Arc::new(rotation.into()) };
        let shared = balancer.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let Some((n, server, cut)) = shared.connect() else { continue };
                let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) else { continue };
                let counter = shared.clone();
                std::thread::spawn(move || {
                    pipe_counting(c2, s2, cut, Duration::ZERO, |bytes| counter.lock().forwarded[n] += bytes)
                });
                std::thread::spawn(move || pipe(server, client, None, Duration::ZERO));
            }
        });
        Ok(balancer)
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Closes every connection made from now on after `bytes` of request (None: never): a
    /// client's next request, or the rest of a cut upload, then goes to the next process.
    pub fn cut_each_after(&self, bytes: Option<usize>) {
        self.lock().cut_each_after = bytes;
    }

    /// Connections each upstream has taken, in the order given.
    pub fn connections(&self) -> Vec<u64> {
        self.lock().connections.clone()
    }

    /// Request bytes each upstream has been sent, in the order given.
    pub fn forwarded(&self) -> Vec<u64> {
        self.lock().forwarded.clone()
    }

    /// The next upstream in turn that accepts a connection: its index, the connection, and
    /// where to cut it.
    fn connect(&self) -> Option<(usize, TcpStream, Option<usize>)> {
        let (upstreams, first, cut) = {
            let mut r = self.lock();
            let first = r.next;
            r.next = (first + 1) % r.upstreams.len().max(1);
            (r.upstreams.clone(), first, r.cut_each_after)
        };
        (0..upstreams.len()).map(|k| (first + k) % upstreams.len()).find_map(|n| {
            let server = TcpStream::connect(&upstreams[n]).ok()?;
            self.lock().connections[n] += 1;
            Some((n, server, cut))
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Rotation> {
        self.rotation.lock().unwrap_or_else(|p| p.into_inner())
    }
}
