//! `yuma query`: an HTTP request signed with btauth/1 by the wallet's hotkey, like curl.

use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};
use serde_json::{Map, Value, json};
use yuma_keys::Pair;
use yuma_keys::btauth::{self, sign_request};
use yuma_primitives::AccountId;
use yuma_wallet::Wallet;

use yuma_cli::output;

use crate::args::{OutputArgs, WalletArgs};
use crate::failure::{Hint, Refused};

/// Flags of `yuma query`; its help text is on `Command::Query`.
#[derive(Debug, Args)]
pub(crate) struct QueryArgs {
    /// URL to request (http://host:port/path?query).
    url: String,
    /// JSON request body; makes the default method POST.
    #[arg(long, short = 'd', value_name = "JSON")]
    data: Option<String>,
    /// HTTP method [default: GET, or POST with --data].
    #[arg(long, short = 'X')]
    method: Option<String>,
    /// SS58 hotkey of the server the request is meant for.
    #[arg(long, value_name = "SS58")]
    receiver: Option<AccountId>,
    /// Extra request header as `Name: value` (repeatable).
    #[arg(long = "header", short = 'H', value_name = "K:V")]
    headers: Vec<String>,
    /// Seconds to wait for the whole exchange.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    timeout: u64,
    /// Sign with the wallet's coldkey instead of its hotkey (e.g. as the account that paid a
    /// gateway).
    #[arg(long)]
    use_coldkey: bool,
    #[command(flatten)]
    wallet: WalletArgs,
    #[command(flatten)]
    output: OutputArgs,
}

/// A query checked and ready to send: everything the user typed, validated.
struct Query {
    url: Url,
    method: Method,
    body: Vec<u8>,
    headers: HeaderMap,
    receiver: Option<AccountId>,
    timeout: Duration,
}

impl QueryArgs {
    fn validate(&self) -> anyhow::Result<Query> {
        let url = Url::parse(&self.url).with_context(|| format!("invalid URL {:?}", self.url))?;
        match url.scheme() {
            "http" => {}
            "https" => {
                return Err(anyhow::Error::new(Hint {
                    message: format!(
                        "cannot query {url}: https is not supported (yuma query speaks plain \
                         http; btauth/1 signs the request itself)"
                    ),
                    hint: "use an http:// URL, or put a TLS-terminating proxy in front".into(),
                }));
            }
            other => bail!("cannot query {url}: unsupported URL scheme {other:?} (use http://)"),
        }
        if url.host_str().is_none() {
            bail!("URL {url} has no host");
        }
        let method = self
            .method
            .as_deref()
            .unwrap_or(if self.data.is_some() { "POST" } else { "GET" })
            .to_uppercase();
        let method = Method::from_bytes(method.as_bytes())
            .with_context(|| format!("invalid HTTP method {method:?}"))?;
        let mut headers = HeaderMap::new();
        for header in &self.headers {
            let (name, value) = parse_header(header)?;
            headers.append(name, value);
        }
        let body = match &self.data {
            Some(data) => {
                serde_json::from_str::<Value>(data).context("--data is not valid JSON")?;
                if !headers.contains_key(CONTENT_TYPE) {
                    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                }
                data.clone().into_bytes()
            }
            None => Vec::new(),
        };
        Ok(Query {
            url,
            method,
            body,
            headers,
            receiver: self.receiver,
            timeout: Duration::from_secs(self.timeout),
        })
    }
}

/// Parses `Name: value`; btauth headers are refused, since the signature sets them.
fn parse_header(header: &str) -> anyhow::Result<(HeaderName, HeaderValue)> {
    let Some((name, value)) = header.split_once(':') else {
        bail!("header {header:?} is not `Name: value`");
    };
    let name = HeaderName::from_bytes(name.trim().as_bytes())
        .with_context(|| format!("invalid header name in {header:?}"))?;
    if name.as_str().starts_with("x-bittensor-") {
        bail!("header {name} is set by the btauth/1 signature and cannot be given");
    }
    let value = HeaderValue::from_str(value.trim())
        .with_context(|| format!("invalid header value in {header:?}"))?;
    Ok((name, value))
}

/// The wallet's hotkey, unlocked as `yuma wallet sign --use-hotkey` unlocks it (password from
/// `YUMA_WALLET_PASSWORD` or a terminal prompt when the file is encrypted).
fn load_hotkey(args: &WalletArgs) -> anyhow::Result<Pair> {
    let wallet = Wallet::new(args.path(), &args.wallet_name).context("choosing the wallet")?;
    crate::commands::wallet::unlock_hotkey(&wallet, &args.hotkey)
}

/// The wallet's coldkey, unlocked the same way.
fn load_coldkey(args: &WalletArgs) -> anyhow::Result<Pair> {
    let wallet = Wallet::new(args.path(), &args.wallet_name).context("choosing the wallet")?;
    crate::commands::wallet::unlock_coldkey(&wallet)
}

/// The request target as sent on the wire: path plus `?query`.
fn path_and_query(url: &Url) -> String {
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    }
}

/// What came back.
struct Answer {
    status: reqwest::StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

async fn send(query: Query, pair: &Pair) -> anyhow::Result<Answer> {
    let client = reqwest::Client::builder()
        .timeout(query.timeout)
        .build()
        .context("starting the HTTP client")?;
    let signed = sign_request(
        pair,
        query.method.as_str(),
        &path_and_query(&query.url),
        &query.body,
        query.receiver.as_ref(),
        btauth::unix_time_ns(),
    );
    let mut headers = query.headers;
    for (name, value) in signed.to_pairs() {
        let name = HeaderName::from_bytes(name.as_bytes()).expect("btauth header names are valid");
        let value = HeaderValue::from_str(&value).expect("btauth header values are ASCII");
        headers.insert(name, value);
    }
    let url = query.url.clone();
    let response = client
        .request(query.method, query.url)
        .headers(headers)
        .body(query.body)
        .send()
        .await
        .with_context(|| format!("cannot reach {url}"))?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .bytes()
        .await
        .with_context(|| format!("reading the response from {url}"))?;
    Ok(Answer {
        status,
        headers,
        body: body.to_vec(),
    })
}

/// Runs `yuma query`.
pub(crate) fn run(args: QueryArgs) -> anyhow::Result<()> {
    let query = args.validate()?;
    let url = query.url.to_string();
    let pair = if args.use_coldkey {
        load_coldkey(&args.wallet)?
    } else {
        load_hotkey(&args.wallet)?
    };
    let runtime = yuma_cli::runtime::current_thread().context("starting the async runtime")?;
    let answer = runtime.block_on(send(query, &pair))?;
    let text = String::from_utf8_lossy(&answer.body);

    let printed = if args.output.json {
        let document = json!({
            "url": url,
            "status": answer.status.as_u16(),
            "headers": headers_json(&answer.headers),
            "body": text,
            "json": serde_json::from_slice::<Value>(&answer.body).ok(),
        });
        output::json(&document)
    } else if answer.status.is_success() {
        output::bytes(&answer.body)
    } else {
        Ok(())
    };
    printed.context("writing to stdout")?;

    if answer.status.is_success() {
        Ok(())
    } else {
        Err(anyhow::Error::new(Refused(format!(
            "HTTP {}: {}",
            answer.status,
            text.trim_end()
        ))))
        .with_context(|| format!("{url} refused the request"))
    }
}

/// Response headers as a JSON object; repeated headers are joined with `, `.
fn headers_json(headers: &HeaderMap) -> Value {
    let mut object = Map::new();
    for name in headers.keys() {
        let values: Vec<String> = headers
            .get_all(name)
            .iter()
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .collect();
        object.insert(name.as_str().to_owned(), Value::from(values.join(", ")));
    }
    Value::Object(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses_headers() {
        let (name, value) = parse_header("Accept:  text/plain ").expect("valid");
        assert_eq!(
            (name.as_str(), value.to_str().ok()),
            ("accept", Some("text/plain"))
        );
        assert!(parse_header("no colon").is_err());
        assert!(parse_header("X-Bittensor-Nonce: 1").is_err());
        assert!(parse_header("bad name: v").is_err());
    }

    #[test]
    fn keeps_the_query_string_in_the_signed_target() {
        let url = Url::parse("http://h:1/a/b?x=1&y=%20").expect("valid");
        assert_eq!(path_and_query(&url), "/a/b?x=1&y=%20");
        let url = Url::parse("http://h:1").expect("valid");
        assert_eq!(path_and_query(&url), "/");
    }
}
