//! `push_under_bad_token_flood`: the rate at which one device pushes 10,000 finalized
//! inspections to a local bureau while 200 connections send requests with tokens the bureau
//! does not know (each sent again as soon as it is answered), as a ratio to the rate without
//! them, in the same run. Target: at least 0.8 of it. The device is the one `push` prepares
//! (made once, kept), and its push lasts a few seconds: long enough for each stranger to be
//! answered several times, though the bureau holds a refusal for a second.
//!
//! The strangers run in this process, on one thread of their own, on the same two cores as
//! the bureau and the device: the figure counts what answering them costs the bureau and
//! what sending them costs the machine.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use fieldcase_device::sync;

use crate::prepared::{Enrolled, prepared_pair};
use crate::report::{Figure, results_dir};
use crate::sync_push::median;

const INSPECTIONS: usize = 10_000;
const STRANGERS: usize = 200;
const ROUNDS: usize = 3;
const TARGET: f64 = 0.8;

pub fn run() -> Result<()> {
    let work = results_dir().join("work");
    let template = prepared_pair(&work, INSPECTIONS)?;
    let (mut quiet, mut flooded) = (Vec::with_capacity(ROUNDS), Vec::with_capacity(ROUNDS));
    for round in 1..=ROUNDS {
        let alone = push_once(&work, &template, false)?;
        let knocked = push_once(&work, &template, true)?;
        eprintln!(
            "(round {round}: {:.0} inspections/s alone, {:.0} with {STRANGERS} strangers, who were answered {} times: {} 401, {} 429)",
            alone.rate, knocked.rate, knocked.answers, knocked.unauthorized, knocked.limited
        );
        quiet.push(alone.rate);
        flooded.push(knocked.rate);
    }
    let (rate, reference) = (median(flooded), median(quiet));
    Figure {
        name: "push_under_bad_token_flood",
        value: rate,
        unit: "inspections/s",
        reference_name: "push_without_flood",
        reference,
        reference_unit: "inspections/s",
        target: format!("ratio >= {TARGET} ({STRANGERS} concurrent bad-token requests; medians of {ROUNDS} rounds)"),
        met: rate / reference >= TARGET,
    }
    .emit()
}

struct Pushed {
    rate: f64,
    answers: usize,
    unauthorized: usize,
    limited: usize,
}

/// One push of a fresh copy of the device to a fresh bureau, with or without strangers.
fn push_once(work: &Path, template: &Path, flood: bool) -> Result<Pushed> {
    let Enrolled { mut bureau, device, runtime, _tmp } = Enrolled::copy_of(work, template)?;

    let strangers = flood.then(|| Strangers::start(&bureau.url)).transpose()?;
    let started = Instant::now();
    let report = runtime.block_on(sync::sync_once(&device))?;
    let seconds = started.elapsed().as_secs_f64();
    let counts = strangers.map(Strangers::stop).transpose()?.unwrap_or_default();
    bureau.stop();
    if report.refused > 0 || report.pushed == 0 {
        bail!("the bureau refused {} items of {}; the figure would mean nothing", report.refused, report.pushed);
    }
    if flood && counts.answers < STRANGERS {
        bail!("the strangers were answered only {} times; they did not knock", counts.answers);
    }
    Ok(Pushed {
        rate: INSPECTIONS as f64 / seconds,
        answers: counts.answers,
        unauthorized: counts.unauthorized,
        limited: counts.limited,
    })
}

#[derive(Debug, Default)]
struct Counts {
    answers: usize,
    unauthorized: usize,
    limited: usize,
}

/// 200 connections, each sending a request with a token the bureau never issued as soon as
/// the last was answered: to an administrator's path and to a device's path, in turns.
struct Strangers {
    stop: Arc<AtomicBool>,
    unauthorized: Arc<AtomicUsize>,
    limited: Arc<AtomicUsize>,
    others: Arc<AtomicUsize>,
    thread: std::thread::JoinHandle<Result<()>>,
}

impl Strangers {
    fn start(url: &str) -> Result<Self> {
        let address = url.strip_prefix("http://").context("a plain http:// bureau")?.to_owned();
        let stop = Arc::new(AtomicBool::new(false));
        let [unauthorized, limited, others] = [(); 3].map(|()| Arc::new(AtomicUsize::new(0)));
        let (ready, knocking) = std::sync::mpsc::channel();
        let thread = {
            let (stop, unauthorized, limited, others) =
                (stop.clone(), unauthorized.clone(), limited.clone(), others.clone());
            std::thread::spawn(move || -> Result<()> {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
                runtime.block_on(async move {
                    let mut workers = Vec::with_capacity(STRANGERS);
                    for i in 0..STRANGERS {
                        let connection = TcpStream::connect(&address).await?;
                        let counters = (unauthorized.clone(), limited.clone(), others.clone());
                        workers.push(tokio::spawn(knock(connection, address.clone(), i, stop.clone(), counters)));
                    }
                    let _ = ready.send(());
                    for worker in workers {
                        worker.await??;
                    }
                    Ok(())
                })
            })
        };
        knocking.recv_timeout(Duration::from_secs(30)).context("the strangers could not connect")?;
        // Long enough for the bureau to have limited them and for their refusals to come
        // back: the flood as it goes on, not as it begins.
        std::thread::sleep(Duration::from_millis(1500));
        Ok(Strangers { stop, unauthorized, limited, others, thread })
    }

    fn stop(self) -> Result<Counts> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().map_err(|_| anyhow::anyhow!("a stranger panicked"))??;
        let others = self.others.load(Ordering::Relaxed);
        if others > 0 {
            bail!("{others} strangers were answered something other than 401 or 429");
        }
        let (unauthorized, limited) = (self.unauthorized.load(Ordering::Relaxed), self.limited.load(Ordering::Relaxed));
        Ok(Counts { answers: unauthorized + limited, unauthorized, limited })
    }
}

type Counters = (Arc<AtomicUsize>, Arc<AtomicUsize>, Arc<AtomicUsize>);

/// One connection's requests, until told to stop: HTTP/1.1, kept alive.
async fn knock(
    mut connection: TcpStream,
    host: String,
    i: usize,
    stop: Arc<AtomicBool>,
    (unauthorized, limited, others): Counters,
) -> Result<()> {
    let path = if i.is_multiple_of(2) { "/api/v1/admin/certificates" } else { "/api/v1/changes" };
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {i:064x}\r\n\r\n");
    let mut buffer = Vec::with_capacity(1024);
    while !stop.load(Ordering::Relaxed) {
        connection.write_all(request.as_bytes()).await?;
        let status = read_response(&mut connection, &mut buffer).await?;
        match status {
            401 => &unauthorized,
            429 => &limited,
            _ => &others,
        }
        .fetch_add(1, Ordering::Relaxed);
    }
    Ok(())
}

/// Reads one response (headers, then a body of its Content-Length); its status.
async fn read_response(connection: &mut TcpStream, buffer: &mut Vec<u8>) -> Result<u16> {
    buffer.clear();
    let mut chunk = [0u8; 1024];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = connection.read(&mut chunk).await?;
        if n == 0 {
            bail!("the bureau closed a stranger's connection");
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buffer[..head_end])?;
    let status: u16 = head.split(' ').nth(1).and_then(|s| s.parse().ok()).context("a status line")?;
    let length: usize = head
        .lines()
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-length")))
        .and_then(|(_, v)| v.trim().parse().ok())
        .context("a Content-Length")?;
    let mut have = buffer.len() - head_end;
    while have < length {
        let n = connection.read(&mut chunk).await?;
        if n == 0 {
            bail!("the bureau closed a stranger's connection mid-answer");
        }
        have += n;
    }
    Ok(status)
}
