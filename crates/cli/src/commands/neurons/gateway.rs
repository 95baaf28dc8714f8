//! `yuma gateway`: paid inference for a subnet, run under a validator hotkey.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use yuma_cli::process::Ready;
use yuma_client::Client;
use yuma_gateway::journal;
use yuma_gateway::ledger::ledger_path;
use yuma_gateway::{Gateway, GatewayConfig, HedgePolicy, MinerBackend, router, staker, watcher};
use yuma_neuron::MinerClient;
use yuma_neuron::metagraph::MetagraphCache;
use yuma_primitives::{Balance, NetUid};

use super::miner::neuron_error;
use crate::args::{RpcArgs, ServeLimitArgs};
use crate::commands::chain::SignerArgs;
use crate::failure::Hint;
use yuma_cli::runtime::shutdown_signal;

/// How often the gateway re-reads the metagraph (miners, axons, incentive).
const METAGRAPH_REFRESH: Duration = Duration::from_secs(3);
/// How often the chain is polled for payments.
const WATCH_EVERY: Duration = Duration::from_millis(500);
/// How often a changed ledger is written.
const FLUSH_EVERY: Duration = Duration::from_millis(250);

/// Flags of `yuma gateway`.
#[derive(Debug, Args)]
pub(crate) struct GatewayArgs {
    /// The subnet to serve (the hotkey must be registered on it, with a validator permit).
    #[arg(long)]
    netuid: u16,
    /// Address to bind the HTTP server to.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to bind (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Price of one query (one ensemble member), in TAO.
    #[arg(long, default_value = "0.001", value_name = "TAO")]
    price: Balance,
    /// Share of revenue staked back into the subnet's pool, e.g. `50%` (0 = none).
    #[arg(long, default_value = "50%", value_parser = parse_share, value_name = "PERCENT")]
    stake_share: u8,
    /// Seconds between stakes of the revenue share.
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    stake_every: u64,
    /// Folder holding the credit ledger (ledger.json).
    #[arg(long, default_value = "./.yuma-gateway")]
    data_dir: PathBuf,
    /// Do not hedge: wait for the first miner unless it fails.
    #[arg(long)]
    no_hedge: bool,
    /// Milliseconds a miner may take to answer one call.
    #[arg(long, default_value_t = 10_000, value_name = "MS")]
    miner_timeout_ms: u64,
    #[command(flatten)]
    serve: ServeLimitArgs,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    rpc: RpcArgs,
}

/// Parses `50%` or `50` as a percentage from 0 to 100.
fn parse_share(text: &str) -> Result<u8, String> {
    let digits = text.trim().trim_end_matches('%').trim();
    match digits.parse::<u8>() {
        Ok(p) if p <= 100 => Ok(p),
        _ => Err(format!("{text:?} is not a percentage from 0% to 100%")),
    }
}

pub(crate) fn run(args: &GatewayArgs) -> anyhow::Result<()> {
    let hotkey = Arc::new(args.signer.hotkey()?);
    let coldkey = if args.stake_share > 0 {
        Some(Arc::new(args.signer.coldkey()?))
    } else {
        None
    };
    let coldkey_public = args.signer.coldkey_public()?;
    let runtime = yuma_cli::runtime::service().context("starting the async runtime")?;
    runtime.block_on(serve(args, hotkey, coldkey, coldkey_public))?;
    eprintln!("yuma: stopped");
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(())
}

async fn serve(
    args: &GatewayArgs,
    hotkey: Arc<yuma_keys::Pair>,
    coldkey: Option<Arc<yuma_keys::Pair>>,
    coldkey_public: yuma_primitives::AccountId,
) -> anyhow::Result<()> {
    let netuid = NetUid(args.netuid);
    let client = Arc::new(Client::new(args.rpc.rpc.clone()));
    let cache = Arc::new(MetagraphCache::new(client.clone(), netuid));
    let snapshot = cache
        .refresh()
        .await
        .map_err(|e| neuron_error(e, args.netuid))
        .context("reading the metagraph")?;
    match snapshot.neuron(&hotkey.public()) {
        None => {
            let e = yuma_neuron::Error::NotRegistered {
                hotkey: hotkey.public(),
                netuid,
            };
            return Err(neuron_error(e, args.netuid));
        }
        Some(n) if !n.validator_permit => eprintln!(
            "yuma: warning: hotkey {} has no validator permit on subnet {netuid} yet; miners \
             refuse the gateway until an epoch gives it one (stake more if it never does)",
            hotkey.public()
        ),
        Some(_) => {}
    }
    let path = ledger_path(&args.data_dir);
    let (books, journal) = journal::recover(&args.data_dir).map_err(|e| {
        anyhow::Error::new(Hint {
            message: e.to_string(),
            hint: "restore the file or move it away to start an empty ledger".into(),
        })
    })?;
    eprintln!(
        "yuma: ledger {} (last block {}, {} accounts)",
        path.display(),
        books.last_block.map_or("none".into(), |b| b.to_string()),
        books.accounts.len()
    );
    let config = GatewayConfig {
        netuid,
        hotkey: hotkey.public(),
        coldkey: coldkey_public,
        price: args.price.rao(),
        stake_share: args.stake_share,
        policy: HedgePolicy {
            hedge: !args.no_hedge,
            ..HedgePolicy::default()
        },
        ledger_path: Some(path),
    };
    let backend = MinerBackend::new(
        MinerClient::new(hotkey.clone()),
        Duration::from_millis(args.miner_timeout_ms),
    );
    let gateway = Gateway::new(config, backend, cache.clone(), books, Some(journal));
    let _refresh = cache.clone().spawn_refresh(METAGRAPH_REFRESH, |e| {
        eprintln!("yuma: metagraph refresh failed: {e}");
    });
    let _watch = watcher::spawn(gateway.clone(), client.clone(), WATCH_EVERY, |e| {
        eprintln!("yuma: following the chain failed: {e}");
    });
    let flusher = gateway.clone();
    let _flush = tokio::spawn(async move {
        let mut ticker = tokio::time::interval(FLUSH_EVERY);
        loop {
            ticker.tick().await;
            if let Err(e) = flusher.flush() {
                eprintln!("yuma: {e}");
            }
        }
    });
    let _stake = coldkey.map(|coldkey| {
        let gateway = gateway.clone();
        let client = client.clone();
        let every = Duration::from_secs(args.stake_every.max(1));
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(every);
            ticker.tick().await;
            let mut min_stake = None;
            loop {
                ticker.tick().await;
                if min_stake.is_none() {
                    min_stake = client.params().await.ok().map(|p| p.min_stake);
                }
                let amount = gateway.to_stake();
                // Below the chain's minimum stake the revenue waits for more.
                if amount == 0 || amount < min_stake.unwrap_or(u64::MAX) {
                    continue;
                }
                let hotkey = gateway.config().hotkey;
                match staker::stake(&client, &coldkey, hotkey, netuid, amount).await {
                    Ok(block) => {
                        if let Err(e) = gateway.record_staked(amount).await {
                            eprintln!("yuma: {e}; the next ledger snapshot records the stake");
                        }
                        eprintln!(
                            "yuma: staked {} TAO of revenue on {hotkey} in subnet {netuid} \
                             (block {block})",
                            Balance(amount)
                        );
                    }
                    Err(e) => eprintln!("yuma: staking revenue failed: {e}; retrying later"),
                }
            }
        })
    });

    let listener = tokio::net::TcpListener::bind((args.host, args.port))
        .await
        .with_context(|| format!("binding {}:{}", args.host, args.port))?;
    let local = listener.local_addr().context("reading the bound address")?;
    eprintln!(
        "yuma: gateway on subnet {netuid}: {} TAO per query, pay to {coldkey_public}, sign for \
         receiver {}",
        args.price,
        hotkey.public()
    );
    Ready::Gateway.announce(format_args!("http://{local}"));
    let served = yuma_http::serve(
        listener,
        router(gateway.clone()),
        args.serve.limits(),
        shutdown_signal(),
    )
    .await
    .context("serving HTTP");
    gateway.flush().context("writing the ledger")?;
    served
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_shares() {
        assert_eq!(parse_share("50%"), Ok(50));
        assert_eq!(parse_share("0"), Ok(0));
        assert_eq!(parse_share("100 %"), Ok(100));
        assert!(parse_share("101%").is_err());
        assert!(parse_share("half").is_err());
    }
}
