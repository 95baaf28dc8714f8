//! The gateway's state and HTTP routes.
//!
//! ```text
//! POST /v1/solve                  signed; body: the subnet's challenge JSON, optional
//! POST /v1/subnets/{netuid}/solve   "ensemble": k; 200 the answer, 400, 401, 402, 404, 502, 503
//! GET  /v1/pricing                unsigned; price per query, where to pay, the subnet's identity
//! GET  /v1/account                signed; the caller's credit and usage
//! GET  /metrics                   Prometheus text
//! GET  /health                    "ok"
//! ```

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use yuma_http::error_response as error;
use yuma_keys::btauth::{Verifier, unix_time_ns};
use yuma_neuron::metagraph::MetagraphCache;
use yuma_neuron::protocol::axon_addr;
use yuma_primitives::{AccountId, Balance, NetUid};
use yuma_runtime::SubnetIdentity;

use crate::Error;
use crate::ensemble::{TaskKind, combine, is_copy};
use crate::hedge::{Backend, HedgeError, HedgePolicy, ask, ask_all};
use crate::journal::{Journal, Record};
use crate::ledger::{self, Ledger};
use crate::metrics::Metrics;
use crate::routing::{Router as MinerRouter, Target};
use crate::work;

/// Largest ensemble a request may ask for.
pub const MAX_ENSEMBLE: u64 = 16;

/// How a gateway is set up.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// The subnet it serves.
    pub netuid: NetUid,
    /// Its hotkey: requests must be bound to it, miners see it as the sender.
    pub hotkey: AccountId,
    /// Its coldkey: users pay by transferring TAO to it.
    pub coldkey: AccountId,
    /// Price of one query (one ensemble member), rao.
    pub price: u64,
    /// Share of revenue staked back into the subnet, percent.
    pub stake_share: u8,
    /// How requests are spread over miners.
    pub policy: HedgePolicy,
    /// Where the ledger is kept (`None`: in memory only).
    pub ledger_path: Option<PathBuf>,
}

/// Everything the handlers share.
pub struct Gateway<B> {
    config: GatewayConfig,
    backend: B,
    verifier: Verifier,
    metagraph: Arc<MetagraphCache>,
    ledger: Mutex<Ledger>,
    journal: Option<Journal>,
    dirty: AtomicBool,
    identity: Mutex<Option<SubnetIdentity>>,
    /// Whether `identity` must be read again: at start, and after a block that set it.
    identity_stale: AtomicBool,
    /// What the gateway saw of each miner.
    pub router: MinerRouter,
    /// The gateway's metrics.
    pub metrics: Metrics,
}

impl<B> Gateway<B> {
    /// A gateway asking miners through `backend`, finding them in `metagraph`, starting from
    /// `ledger`, and recording charges in `journal` (`None`: in memory only).
    pub fn new(
        config: GatewayConfig,
        backend: B,
        metagraph: Arc<MetagraphCache>,
        ledger: Ledger,
        journal: Option<Journal>,
    ) -> Arc<Self> {
        let verifier = Verifier::new(Some(config.hotkey));
        Arc::new(Self {
            config,
            backend,
            verifier,
            metagraph,
            ledger: Mutex::new(ledger),
            journal,
            dirty: AtomicBool::new(false),
            identity: Mutex::new(None),
            identity_stale: AtomicBool::new(true),
            router: MinerRouter::default(),
            metrics: Metrics::default(),
        })
    }

    /// The setup.
    pub fn config(&self) -> &GatewayConfig {
        &self.config
    }

    /// The coldkey users pay.
    pub fn coldkey(&self) -> AccountId {
        self.config.coldkey
    }

    fn books(&self) -> MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A copy of the ledger.
    pub fn ledger(&self) -> Ledger {
        self.books().clone()
    }

    /// The last block whose payments are counted.
    pub fn ledger_last_block(&self) -> Option<u64> {
        self.books().last_block
    }

    /// Counts block `number`'s payments (see [`Ledger::apply_block`]).
    pub fn apply_block(&self, number: u64, payments: &[(AccountId, u64)]) {
        if self.books().apply_block(number, payments) {
            let credited: u64 = payments.iter().map(|(_, a)| a).sum();
            self.metrics.credited.inc_by(credited);
            self.metrics
                .chain_block
                .set(i64::try_from(number).unwrap_or(i64::MAX));
            self.dirty.store(true, Ordering::Relaxed);
        }
    }

    /// Records that `amount` rao of revenue was staked.
    ///
    /// # Errors
    /// When the journal cannot record it; the next snapshot still will.
    pub async fn record_staked(&self, amount: u64) -> Result<(), String> {
        let record = {
            let mut books = self.books();
            books.staked = books.staked.saturating_add(amount);
            Record {
                seq: books.next_seq(),
                who: None,
                rao: amount,
                queries: 0,
            }
        };
        self.dirty.store(true, Ordering::Relaxed);
        match &self.journal {
            Some(journal) => journal.append(record).await,
            None => Ok(()),
        }
    }

    /// Settles `who`'s reservation of `reserved` at `used` for `queries` answered queries, and
    /// makes the charge durable before returning.
    ///
    /// # Errors
    /// When the journal cannot record it: the charge is taken back and must not be served.
    async fn charge(
        &self,
        who: &AccountId,
        reserved: u64,
        used: u64,
        queries: u64,
    ) -> Result<(), String> {
        let record = {
            let mut books = self.books();
            books.settle(who, reserved, used, queries);
            Record {
                seq: books.next_seq(),
                who: Some(*who),
                rao: used,
                queries,
            }
        };
        self.dirty.store(true, Ordering::Relaxed);
        let Some(journal) = &self.journal else {
            return Ok(());
        };
        journal.append(record).await.inspect_err(|error| {
            tracing::error!(%who, %error, "cannot record a charge; the request is refused");
            self.books().uncharge(who, used, queries);
        })
    }

    /// Revenue due to be staked and not staked yet, rao.
    pub fn to_stake(&self) -> u64 {
        self.books().to_stake(self.config.stake_share)
    }

    /// Writes the ledger if it changed since the last write.
    ///
    /// # Errors
    /// [`Error::LedgerIo`] when writing fails (it stays due for the next flush).
    pub fn flush(&self) -> Result<(), Error> {
        let Some(path) = &self.config.ledger_path else {
            return Ok(());
        };
        if !self.dirty.swap(false, Ordering::Relaxed) {
            return Ok(());
        }
        let snapshot = self.books().snapshot();
        ledger::save(path, &snapshot).inspect_err(|_| self.dirty.store(true, Ordering::Relaxed))?;
        if let Some(journal) = &self.journal {
            journal.compact(snapshot.journal_seq);
        }
        Ok(())
    }

    /// The subnet's identity as last read from the chain (`None` until its owner sets one).
    pub fn subnet_identity(&self) -> Option<SubnetIdentity> {
        self.identity
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Whether the identity must be read from the chain again (see [`crate::watcher`]).
    pub fn subnet_identity_stale(&self) -> bool {
        self.identity_stale.load(Ordering::Relaxed)
    }

    /// Marks the identity as changed on chain, to be read again.
    pub fn mark_subnet_identity_stale(&self) {
        self.identity_stale.store(true, Ordering::Relaxed);
    }

    /// Records the identity read from the chain.
    pub fn set_subnet_identity(&self, identity: Option<SubnetIdentity>) {
        *self.identity.lock().unwrap_or_else(PoisonError::into_inner) = identity;
        self.identity_stale.store(false, Ordering::Relaxed);
    }

    /// The subnet's miners with a served axon (the gateway's own hotkey excluded).
    pub fn targets(&self) -> Vec<Target> {
        let snapshot = self.metagraph.snapshot();
        let Some(metagraph) = &snapshot.metagraph else {
            return Vec::new();
        };
        metagraph
            .neurons
            .iter()
            .filter(|n| n.hotkey != self.config.hotkey)
            .filter_map(|n| {
                Some(Target {
                    hotkey: n.hotkey,
                    addr: axon_addr(n)?,
                    incentive: n.incentive,
                })
            })
            .collect()
    }
}

/// The gateway's routes (see the module table).
pub fn router<B: Backend>(gateway: Arc<Gateway<B>>) -> Router {
    yuma_http::with_json_fallbacks(
        Router::new()
            .route("/v1/solve", post(solve_default::<B>))
            .route("/v1/subnets/{netuid}/solve", post(solve_subnet::<B>))
            .route("/v1/pricing", get(pricing::<B>))
            .route("/v1/account", get(account::<B>))
            .route("/metrics", get(metrics::<B>))
            .route("/health", get(|| async { "ok" }))
            .with_state(gateway),
    )
}

fn tao(rao: u64) -> String {
    Balance(rao).to_string()
}

/// Verifies the btauth/1 signature; the caller's account, or the 401 response.
fn authenticate<B>(
    gateway: &Gateway<B>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<AccountId, Box<Response>> {
    let path = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());
    let pairs = headers
        .iter()
        .map(|(name, value)| (name.as_str().as_bytes(), value.as_bytes()));
    gateway
        .verifier
        .verify(pairs, method.as_str(), path, body, unix_time_ns())
        .map(|caller| caller.hotkey)
        .map_err(|e| {
            let status =
                StatusCode::from_u16(e.kind().http_status()).unwrap_or(StatusCode::UNAUTHORIZED);
            Box::new(error(
                status,
                format!(
                    "{e}: sign the request with btauth/1 by the paying account, bound to the \
                     gateway's hotkey {} (yuma query --use-coldkey --receiver {})",
                    gateway.config.hotkey, gateway.config.hotkey
                ),
            ))
        })
}

/// A request body, or the JSON error for one that could not be read (e.g. too large).
type Body = Result<Bytes, BytesRejection>;

async fn solve_default<B: Backend>(
    State(gateway): State<Arc<Gateway<B>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match body {
        Ok(body) => solve(&gateway, &method, &uri, &headers, &body).await,
        Err(e) => error(e.status(), e.body_text()),
    }
}

async fn solve_subnet<B: Backend>(
    State(gateway): State<Arc<Gateway<B>>>,
    netuid: Result<Path<u16>, PathRejection>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let netuid = match netuid {
        Ok(Path(netuid)) => netuid,
        Err(e) => return error(e.status(), e.body_text()),
    };
    let body = match body {
        Ok(body) => body,
        Err(e) => return error(e.status(), e.body_text()),
    };
    if netuid != gateway.config.netuid.0 {
        return error(
            StatusCode::NOT_FOUND,
            format!(
                "this gateway serves subnet {}, not {netuid}",
                gateway.config.netuid
            ),
        );
    }
    solve(&gateway, &method, &uri, &headers, &body).await
}

async fn solve<B: Backend>(
    gateway: &Gateway<B>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let started = Instant::now();
    let who = match authenticate(gateway, method, uri, headers, body) {
        Ok(who) => who,
        Err(response) => {
            gateway.metrics.outcome("unauthenticated");
            return *response;
        }
    };
    let mut challenge: Value = match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => {
            gateway.metrics.outcome("bad_request");
            return error(StatusCode::BAD_REQUEST, "the body must be a JSON object");
        }
        Err(e) => {
            gateway.metrics.outcome("bad_request");
            return error(
                StatusCode::BAD_REQUEST,
                format!("the body is not JSON: {e}"),
            );
        }
    };
    let ensemble = match challenge.as_object_mut().and_then(|o| o.remove("ensemble")) {
        None => None,
        Some(k) => match k.as_u64() {
            Some(k @ 1..=MAX_ENSEMBLE) => Some(k),
            _ => {
                gateway.metrics.outcome("bad_request");
                return error(
                    StatusCode::BAD_REQUEST,
                    format!("\"ensemble\" must be a whole number from 1 to {MAX_ENSEMBLE}"),
                );
            }
        },
    };
    let kind = match ensemble {
        Some(_) => match TaskKind::of(&challenge) {
            Ok(kind) => Some(kind),
            Err(e) => {
                gateway.metrics.outcome("bad_request");
                return error(StatusCode::BAD_REQUEST, e);
            }
        },
        None => None,
    };
    let members = ensemble.unwrap_or(1);
    let units = work::units(&challenge);
    let price = gateway.config.price.saturating_mul(units);
    let cost = price.saturating_mul(members);
    if let Err(short) = gateway.books().reserve(&who, cost) {
        gateway.metrics.outcome("payment_required");
        let coldkey = gateway.config.coldkey;
        return (
            StatusCode::PAYMENT_REQUIRED,
            axum::Json(json!({
                "error": format!(
                    "account {who} has {} TAO of credit; this request costs {} TAO",
                    tao(short.credit), tao(short.cost)
                ),
                "credit_rao": short.credit,
                "cost_rao": short.cost,
                "price_per_query_rao": gateway.config.price,
                "work_units": units,
                "pay_to": coldkey.to_string(),
                "how_to_pay": format!(
                    "transfer TAO to {coldkey} from this account \
                     (yuma transfer --dest {coldkey} --amount {}); credit arrives with the block",
                    tao(short.cost.saturating_sub(short.credit).max(price))
                ),
            })),
        )
            .into_response();
    }
    let ranked = gateway.router.rank(&gateway.targets());
    let result = match kind {
        None => ask(
            &gateway.backend,
            &gateway.router,
            &ranked,
            &challenge,
            &gateway.config.policy,
        )
        .await
        .map(|a| {
            if a.hedged {
                gateway.metrics.hedges.inc();
            }
            gateway
                .metrics
                .failovers
                .inc_by(u64::try_from(a.attempts.saturating_sub(1)).unwrap_or(0));
            (a.answer, 1, vec![a.target.hotkey])
        }),
        Some(kind) => ensemble_answer(gateway, &ranked, members, kind, &challenge).await,
    };
    match result {
        Ok((answer, _, _)) if !work::is_answer(&challenge, &answer) => {
            gateway.books().refund(&who, cost);
            gateway.metrics.outcome("failed");
            error(
                StatusCode::BAD_GATEWAY,
                "the miner's answer has no valid predictions (not charged)",
            )
        }
        Ok((answer, used, miners)) => {
            let used_cost = price.saturating_mul(used);
            if let Err(e) = gateway.charge(&who, cost, used_cost, used).await {
                gateway.metrics.outcome("failed");
                return error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("cannot record the charge: {e} (not charged)"),
                );
            }
            gateway.metrics.charged.inc_by(used_cost);
            gateway.metrics.outcome("ok");
            gateway
                .metrics
                .request_seconds
                .observe(started.elapsed().as_secs_f64());
            let mut response = (
                [(header::CONTENT_TYPE, "application/json")],
                serde_json::to_vec(&answer).unwrap_or_default(),
            )
                .into_response();
            let miners: Vec<String> = miners.iter().map(ToString::to_string).collect();
            if let Ok(value) = HeaderValue::from_str(&miners.join(",")) {
                response.headers_mut().insert("x-yuma-miners", value);
            }
            if let Ok(value) = HeaderValue::from_str(&used_cost.to_string()) {
                response.headers_mut().insert("x-yuma-charged-rao", value);
            }
            response
        }
        Err(e) => {
            gateway.books().refund(&who, cost);
            let (status, outcome) = match e {
                HedgeError::NoMiners => (StatusCode::SERVICE_UNAVAILABLE, "no_miners"),
                HedgeError::Timeout(_) => (StatusCode::GATEWAY_TIMEOUT, "failed"),
                HedgeError::AllFailed { .. } => (StatusCode::BAD_GATEWAY, "failed"),
            };
            gateway.metrics.outcome(outcome);
            error(status, format!("{e} (not charged)"))
        }
    }
}

type Combined = (Value, u64, Vec<AccountId>);

async fn ensemble_answer<B: Backend>(
    gateway: &Gateway<B>,
    ranked: &[(Target, Option<Duration>)],
    members: u64,
    kind: TaskKind,
    challenge: &Value,
) -> Result<Combined, HedgeError> {
    if ranked.is_empty() {
        return Err(HedgeError::NoMiners);
    }
    let k = usize::try_from(members).unwrap_or(usize::MAX);
    let router = &gateway.router;
    // A copy of a member's answer adds nothing: a spare takes its place.
    let answers = ask_all(
        &gateway.backend,
        router,
        &router.ensemble_order(ranked),
        k,
        challenge,
        &gateway.config.policy,
        |taken, target, answer| {
            let kept: Vec<&Value> = taken.iter().map(|(_, v)| v).collect();
            let copied = is_copy(kind, &kept, answer);
            router.record_copy(&target.hotkey, copied);
            !copied
        },
    )
    .await;
    let miners: Vec<AccountId> = answers.iter().map(|(t, _)| t.hotkey).collect();
    let values: Vec<Value> = answers.into_iter().map(|(_, v)| v).collect();
    match combine(kind, &values) {
        Ok((answer, used)) => Ok((answer, u64::try_from(used).unwrap_or(u64::MAX), miners)),
        Err(e) => Err(HedgeError::AllFailed {
            attempts: k,
            last: e.to_string(),
        }),
    }
}

async fn pricing<B: Backend>(State(gateway): State<Arc<Gateway<B>>>) -> Response {
    let config = &gateway.config;
    axum::Json(json!({
        "netuid": config.netuid.0,
        "price_per_query_rao": config.price,
        "price_per_ensemble_member_rao": config.price,
        "work_unit_cells": work::UNIT_CELLS,
        "cost_rule": format!(
            "price_per_query_rao x ensemble members x ceil(values in train_x and test_x / {}), at least one unit",
            work::UNIT_CELLS
        ),
        "max_ensemble": MAX_ENSEMBLE,
        "pay_to": config.coldkey.to_string(),
        "receiver": config.hotkey.to_string(),
        "stake_share_percent": config.stake_share,
        "miners": gateway.targets().len(),
        "subnet": gateway.subnet_identity(),
    }))
    .into_response()
}

async fn account<B: Backend>(
    State(gateway): State<Arc<Gateway<B>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(e) => return error(e.status(), e.body_text()),
    };
    let who = match authenticate(&gateway, &method, &uri, &headers, &body) {
        Ok(who) => who,
        Err(response) => return *response,
    };
    let books = gateway.books();
    let mine = books.account(&who);
    axum::Json(json!({
        "account": who.to_string(),
        "credit_rao": mine.credit(),
        "paid_rao": mine.paid,
        "spent_rao": mine.spent,
        "queries": mine.queries,
        "price_per_query_rao": gateway.config.price,
        "last_block": books.last_block,
    }))
    .into_response()
}

async fn metrics<B: Backend>(State(gateway): State<Arc<Gateway<B>>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        gateway.metrics.encode(),
    )
        .into_response()
}
