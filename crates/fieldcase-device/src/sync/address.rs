//! The bureau's address as an officer or an administrator types it: read the way a Chinese
//! input method gives it (full-width letters and signs, `。` for a dot), and refused, with
//! the reason, when this laptop could not or should not use it.
//!
//! One rule for the command line's `device enroll`, the window's enrollment and its change of
//! address, and every sync: the problem is data, so the window says it in the officer's
//! language, and the English message is what scripts and logs get.

use serde::Serialize;
use ts_rs::TS;

use fieldcase_core::uscc::half_width;

use super::Transport;

/// Why a typed bureau address cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "problem", rename_all = "snake_case")]
#[ts(export)]
pub enum BureauUrlProblem {
    /// Nothing was typed.
    Empty,
    /// No `https://` in front (`bureau.example.cn:8787`).
    MissingScheme,
    /// Not readable as an address (a space in the host, a port that is not a number, …).
    NotAnAddress { detail: String },
    /// Another kind of address than a web one (`ftp://…`).
    Scheme { found: String },
    /// Plain http:// to another machine, which only a lab may choose.
    PlainHttp { host: String },
    /// A user name, a query or a fragment: the bureau's address takes none.
    Extra,
}

/// An address checked as it is typed: as it will be kept, or what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct BureauUrlCheck {
    /// The address as it will be kept (no trailing slash, host in lower case) when it can be used.
    pub url: Option<String>,
    pub problem: Option<BureauUrlProblem>,
    /// The reason in English, for logs and scripts.
    pub message: Option<String>,
}

impl BureauUrlCheck {
    pub fn of(typed: &str, transport: &Transport) -> Self {
        match parse_bureau_url(typed, transport) {
            Ok(url) => BureauUrlCheck { url: Some(url), problem: None, message: None },
            Err((problem, message)) => BureauUrlCheck { url: None, problem: Some(problem), message: Some(message) },
        }
    }
}

/// The address a client for the bureau uses, or the problem with what was typed and its
/// English message.
pub fn parse_bureau_url(typed: &str, transport: &Transport) -> Result<String, (BureauUrlProblem, String)> {
    let text: String = typed.trim().chars().map(|c| if c == '。' { '.' } else { half_width(c) }).collect();
    let text = text.trim();
    let fail = |problem: BureauUrlProblem, message: String| Err((problem, message));
    if text.is_empty() {
        return fail(BureauUrlProblem::Empty, "no address given; write the bureau's https:// address".into());
    }
    if !text.contains("://") {
        return fail(
            BureauUrlProblem::MissingScheme,
            format!("'{typed}' has no https:// in front; write it as https://{text}"),
        );
    }
    let url = match reqwest::Url::parse(text) {
        Ok(url) => url,
        Err(e) => {
            return fail(
                BureauUrlProblem::NotAnAddress { detail: e.to_string() },
                format!("'{typed}' is not an address ({e}); write it as https://host:port"),
            );
        }
    };
    match url.scheme() {
        "https" => {}
        "http" if transport.insecure_http || is_loopback(&url) => {}
        "http" => {
            return fail(
                BureauUrlProblem::PlainHttp { host: url.host_str().unwrap_or_default().to_owned() },
                format!(
                    "'{typed}' is plain http:// to another machine: the token and the records would cross the network unprotected; use the bureau's https:// address, or, in a lab only, enroll with --insecure-http"
                ),
            );
        }
        other => {
            return fail(
                BureauUrlProblem::Scheme { found: other.to_owned() },
                format!("'{typed}' is a {other}: address; write the bureau's https:// address"),
            );
        }
    }
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
        return fail(
            BureauUrlProblem::Extra,
            format!(
                "'{typed}' carries a user name, a query or a fragment; write the bureau's address alone, as https://host:port"
            ),
        );
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Whether the address names this machine (no network to cross).
fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else { return false };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => bare.eq_ignore_ascii_case("localhost"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(typed: &str) -> Option<BureauUrlProblem> {
        BureauUrlCheck::of(typed, &Transport::default()).problem
    }

    #[test]
    fn an_address_is_read_as_an_input_method_types_it() {
        let check = BureauUrlCheck::of("  ｈｔｔｐｓ：／／Bureau。Example。cn：８４４３/  ", &Transport::default());
        assert_eq!(check.url.as_deref(), Some("https://bureau.example.cn:8443"), "{check:?}");
        assert_eq!(
            BureauUrlCheck::of("http://127.0.0.1:8787/", &Transport::default()).url.as_deref(),
            Some("http://127.0.0.1:8787")
        );
    }

    #[test]
    fn each_unusable_address_is_refused_with_its_reason() {
        assert_eq!(problem("  "), Some(BureauUrlProblem::Empty));
        assert_eq!(problem("bureau.example.cn:8787"), Some(BureauUrlProblem::MissingScheme));
        assert!(matches!(problem("https://bu reau.cn"), Some(BureauUrlProblem::NotAnAddress { .. })));
        assert_eq!(problem("ftp://bureau.example.cn"), Some(BureauUrlProblem::Scheme { found: "ftp".into() }));
        assert_eq!(
            problem("http://bureau.example.cn"),
            Some(BureauUrlProblem::PlainHttp { host: "bureau.example.cn".into() })
        );
        assert_eq!(BureauUrlCheck::of("http://bureau.example.cn", &Transport::lab()).problem, None, "a lab may");
        assert_eq!(problem("https://admin:pw@bureau.example.cn"), Some(BureauUrlProblem::Extra));
        assert_eq!(problem("https://bureau.example.cn/?x=1"), Some(BureauUrlProblem::Extra));
        let message = BureauUrlCheck::of("http://bureau.example.cn", &Transport::default()).message.unwrap();
        assert!(message.contains("--insecure-http"), "says how a lab gets past it: {message}");
    }
}
