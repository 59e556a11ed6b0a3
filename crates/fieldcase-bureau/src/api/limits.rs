//! Limits, per client address, on what a stranger can make the bureau do: enrollment
//! attempts, and authentications that fail. Each address has a bucket of attempts that
//! fills again with time; an address whose bucket is empty is answered 429 `rate_limited`,
//! with `Retry-After`, before anything is looked up.
//!
//! - Every enrollment attempt takes one from the address's enrollment bucket, whatever
//!   becomes of it.
//! - An authentication (a device's or an administrator's bearer token) takes one from the
//!   address's authentication bucket and gives it back when the token works: only failures
//!   count. A token that worked lately (or that enrollment just issued) is looked up even
//!   from an address over its limit, so a device or an administrator behind the same
//!   address as a stranger is not locked out by the stranger's failures; once it fails, it
//!   is forgotten.
//!
//! - A refusal is answered after [`REFUSAL_DELAY`], without using the processor meanwhile: a
//!   client that sends its next request when the last is answered (as floods from a fixed
//!   number of connections do) then costs the bureau a request a second per connection,
//!   not as many as the processors can answer. A client that heeds `Retry-After` waits
//!   longer than that anyway.
//!
//! In memory and per process: a restart forgets. The address is the peer of the TCP
//! connection (axum's `ConnectInfo`): behind a reverse proxy every client has the proxy's
//! address and they share its buckets, so a proxy in front should limit by the address it
//! sees. A router served without connect info (tests) puts every request in one bucket.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::ApiError;
use crate::store::TokenHash;

/// Where a request came from, as far as the limits go: an IPv4 address, or an IPv6 /64 (a
/// single host may pick addresses from a whole /64); None when the server was not told.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Client(Option<IpAddr>);

impl Client {
    pub fn of(address: Option<IpAddr>) -> Self {
        Client(address.map(|ip| match ip {
            IpAddr::V4(_) => ip,
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !(u128::from(u64::MAX)))),
            },
        }))
    }

    /// Every client the server was not told the address of, and every new one while the
    /// limits remember as many addresses as they keep.
    const SHARED: Client = Client(None);
}

/// How many attempts an address may make at once, and how soon it has one more.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub burst: u32,
    pub every: Duration,
}

/// Enrollment attempts: ten at once (a training room enrolling its laptops), then one every
/// six seconds.
pub const ENROLLMENTS: Rate = Rate { burst: 10, every: Duration::from_secs(6) };

/// Failed authentications: twenty at once (a device whose token was replaced retries a few
/// times before it tells its officer), then one a second.
pub const FAILED_AUTHENTICATIONS: Rate = Rate { burst: 20, every: Duration::from_secs(1) };

/// One kind of attempt, counted per client.
#[derive(Debug)]
struct Buckets {
    rate: Rate,
    by_client: Mutex<HashMap<Client, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Attempts left, fractions included, as of `at`.
    left: f64,
    at: Instant,
}

/// How long a refusal (429) waits before it is answered.
pub const REFUSAL_DELAY: Duration = Duration::from_secs(1);

/// Clients remembered at most, per kind of attempt (under half a megabyte). While that many
/// are remembered, each new client costs a pass over them.
const CLIENTS_KEPT: usize = 4096;

/// Tokens that worked, remembered at most; past it they are all forgotten, and each is
/// remembered again when it next works.
const TOKENS_KEPT: usize = 4096;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // What the maps hold is sound at every step; a panic elsewhere does not spoil them.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Buckets {
    fn new(rate: Rate) -> Self {
        Buckets { rate, by_client: Mutex::new(HashMap::new()) }
    }

    fn filled(&self, bucket: Bucket, now: Instant) -> f64 {
        let gained = now.saturating_duration_since(bucket.at).as_secs_f64() / self.rate.every.as_secs_f64();
        (bucket.left + gained).min(f64::from(self.rate.burst))
    }

    /// Takes one attempt from the client's bucket; when there is none, how long until there
    /// is.
    fn take(&self, client: Client, now: Instant) -> Result<(), Duration> {
        let mut by_client = lock(&self.by_client);
        let client = if by_client.contains_key(&client) || by_client.len() < CLIENTS_KEPT {
            client
        } else {
            // A full bucket is as good as none: forget those, and if that is not enough,
            // the newcomer shares one bucket with the others that did not fit.
            by_client.retain(|_, bucket| self.filled(*bucket, now) < f64::from(self.rate.burst));
            if by_client.len() < CLIENTS_KEPT { client } else { Client::SHARED }
        };
        let burst = f64::from(self.rate.burst);
        let bucket = by_client.entry(client).or_insert(Bucket { left: burst, at: now });
        let left = self.filled(*bucket, now);
        if left >= 1.0 {
            *bucket = Bucket { left: left - 1.0, at: now };
            Ok(())
        } else {
            *bucket = Bucket { left, at: now };
            Err(self.rate.every.mul_f64(1.0 - left))
        }
    }

    fn give_back(&self, client: Client, now: Instant) {
        let mut by_client = lock(&self.by_client);
        if let Some(bucket) = by_client.get_mut(&client) {
            let left = (self.filled(*bucket, now) + 1.0).min(f64::from(self.rate.burst));
            *bucket = Bucket { left, at: now };
        }
    }
}

/// The limits of one running bureau.
#[derive(Debug)]
pub struct Limits {
    enrollments: Buckets,
    authentications: Buckets,
    /// Tokens that worked lately (by hash): not charged for, even from a limited address.
    known: Mutex<HashSet<TokenHash>>,
}

impl Default for Limits {
    fn default() -> Self {
        Self::new(ENROLLMENTS, FAILED_AUTHENTICATIONS)
    }
}

impl Limits {
    pub fn new(enrollments: Rate, failed_authentications: Rate) -> Self {
        Limits {
            enrollments: Buckets::new(enrollments),
            authentications: Buckets::new(failed_authentications),
            known: Mutex::new(HashSet::new()),
        }
    }

    /// One enrollment attempt from `client`, or 429 if it made too many.
    pub fn enrollment(&self, client: Client, now: Instant) -> Result<(), ApiError> {
        self.enrollments.take(client, now).map_err(|wait| {
            ApiError::rate_limited(wait, |seconds| {
                format!(
                    "too many enrollment attempts came from this address; wait {seconds} s (Retry-After), then enroll again: a refused attempt does not use up the code"
                )
            })
        })
    }

    /// An authentication from `client` with this token (None: no token came), or 429 if
    /// the client failed too often and the token is not one that worked lately. It counts
    /// as failed unless [`Authentication::succeeded`] says otherwise.
    pub fn authentication(
        &self,
        client: Client,
        token: Option<TokenHash>,
        now: Instant,
    ) -> Result<Authentication<'_>, ApiError> {
        let known = token.is_some_and(|t| lock(&self.known).contains(&t));
        if !known {
            self.authentications.take(client, now).map_err(|wait| {
                ApiError::rate_limited(wait, |seconds| {
                    format!(
                        "too many requests with a missing, unknown, expired or revoked token came from this address; wait {seconds} s (Retry-After), then try again with a token that works"
                    )
                })
            })?;
        }
        Ok(Authentication { limits: self, client, token, charged: !known, settled: false })
    }

    /// A token the bureau just issued (an enrollment's): it is looked up even from a
    /// limited address.
    pub fn remember(&self, token: TokenHash) {
        let mut known = lock(&self.known);
        if known.len() >= TOKENS_KEPT {
            known.clear();
        }
        known.insert(token);
    }

    fn forget(&self, token: TokenHash) {
        lock(&self.known).remove(&token);
    }
}

/// An authentication under way: a failure unless it [`succeeded`](Self::succeeded).
#[derive(Debug)]
pub struct Authentication<'a> {
    limits: &'a Limits,
    client: Client,
    token: Option<TokenHash>,
    /// Whether it took an attempt from the client's bucket.
    charged: bool,
    settled: bool,
}

impl Authentication<'_> {
    /// The token works: the attempt is given back, and the token looked up from now on
    /// even when its address is limited.
    pub fn succeeded(mut self) {
        self.settled = true;
        if self.charged {
            self.limits.authentications.give_back(self.client, Instant::now());
        }
        if let Some(token) = self.token {
            self.limits.remember(token);
        }
    }
}

impl Drop for Authentication<'_> {
    fn drop(&mut self) {
        if !self.settled
            && let Some(token) = self.token
        {
            // Expired, revoked, or never worked: charged for from now on.
            self.limits.forget(token);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ApiError;

    const HOME: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 7)));
    const AWAY: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 8)));

    fn limits() -> Limits {
        Limits::new(Rate { burst: 3, every: Duration::from_secs(10) }, Rate { burst: 2, every: Duration::from_secs(5) })
    }

    fn wait(refused: ApiError) -> u64 {
        match refused {
            ApiError::RateLimited { retry_after_secs, .. } => retry_after_secs,
            other => panic!("not a 429: {other:?}"),
        }
    }

    #[test]
    fn an_address_gets_its_burst_then_one_attempt_per_interval() {
        let limits = limits();
        let start = Instant::now();
        let home = Client::of(HOME);
        for _ in 0..3 {
            assert!(limits.enrollment(home, start).is_ok());
        }
        assert_eq!(wait(limits.enrollment(home, start).unwrap_err()), 10, "a whole interval to wait");
        assert_eq!(wait(limits.enrollment(home, start + Duration::from_secs(4)).unwrap_err()), 6, "what is left of it");
        assert!(limits.enrollment(home, start + Duration::from_secs(10)).is_ok(), "one more after an interval");
        assert!(limits.enrollment(home, start + Duration::from_secs(10)).is_err());
        assert!(limits.enrollment(Client::of(AWAY), start).is_ok(), "another address has its own bucket");
        assert!(limits.enrollment(home, start + Duration::from_secs(1000)).is_ok(), "and it fills again");
    }

    #[test]
    fn only_failed_authentications_count_and_a_token_that_worked_gets_through_a_limited_address() {
        let limits = limits();
        let now = Instant::now();
        let home = Client::of(HOME);
        let good = TokenHash::of_token("good");
        for _ in 0..5 {
            limits.authentication(home, Some(good), now).unwrap().succeeded();
        }
        for i in 0..2 {
            drop(limits.authentication(home, Some(TokenHash::of_token(&format!("bad{i}"))), now).unwrap());
        }
        let refused = limits.authentication(home, Some(TokenHash::of_token("bad2")), now).unwrap_err();
        assert!(wait(refused) >= 1);
        assert!(limits.authentication(home, None, now).is_err(), "no token at all is a failure like the others");
        let again = limits.authentication(home, Some(good), now).expect("a token that worked is looked up");
        drop(again); // ... and this time it failed (revoked, say):
        assert!(limits.authentication(home, Some(good), now).is_err(), "a token that failed is charged again");
        let stranger_elsewhere = TokenHash::of_token("bad3");
        assert!(limits.authentication(Client::of(AWAY), Some(stranger_elsewhere), now).is_ok());
    }

    #[test]
    fn a_token_enrollment_issued_gets_through_a_limited_address() {
        let limits = limits();
        let now = Instant::now();
        let home = Client::of(HOME);
        for i in 0..2 {
            drop(limits.authentication(home, Some(TokenHash::of_token(&format!("bad{i}"))), now).unwrap());
        }
        let issued = TokenHash::of_token("issued");
        assert!(limits.authentication(home, Some(issued), now).is_err());
        limits.remember(issued);
        assert!(limits.authentication(home, Some(issued), now).is_ok());
    }

    #[test]
    fn an_ipv6_host_is_limited_by_its_64_and_a_mapped_ipv4_address_as_itself() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(Client::of(Some(a)), Client::of(Some(b)));
        assert_ne!(Client::of(Some(a)), Client::of(Some(c)));
        let mapped: IpAddr = "::ffff:10.0.0.7".parse().unwrap();
        assert_eq!(Client::of(Some(mapped)), Client::of(HOME));
        assert_eq!(Client::of(None), Client::SHARED);
    }

    #[test]
    fn past_the_addresses_kept_newcomers_share_one_bucket() {
        let limits = limits();
        let now = Instant::now();
        for i in 0..CLIENTS_KEPT as u32 {
            let client = Client::of(Some(IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i))));
            limits.enrollment(client, now).unwrap();
        }
        let newcomers = (0..4u32).map(|i| Client::of(Some(IpAddr::V4(std::net::Ipv4Addr::from(0x0b00_0000 + i)))));
        let answers: Vec<bool> = newcomers.map(|c| limits.enrollment(c, now).is_ok()).collect();
        assert_eq!(answers, [true, true, true, false], "the newcomers share the burst of one bucket");
        let later = now + Duration::from_secs(1000);
        let after = Client::of(Some(IpAddr::V4(std::net::Ipv4Addr::new(12, 0, 0, 1))));
        assert!(limits.enrollment(after, later).is_ok(), "once the others refilled they are forgotten");
        assert!(lock(&limits.enrollments.by_client).len() < 10);
    }
}
