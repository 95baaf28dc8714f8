//! Every command, grouped by area: chain and accounts ([`chain`], [`wallet`]), neurons
//! ([`neurons`]), the whole local network ([`localnet`]), benchmarks ([`mod@bench`]) and offline
//! tools ([`tools`]). The doc comment of each variant is its `--help` text.

mod bench;
mod chain;
mod localnet;
mod neurons;
mod tools;
mod wallet;

use clap::Subcommand;

/// Every top-level command.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run or check Yuma consensus epochs on cases in the conformance-vector format.
    #[command(subcommand)]
    Epoch(tools::epoch::EpochCommand),
    /// Time hot code paths on synthetic input.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Simulate a subnet with gaming agents on the real epoch and report who earns what.
    ///
    /// SCENARIO is a TOML file (see crates/sim/scenarios/) or a built-in name: honest, copier,
    /// copier-drift, cabal-30, cabal-49, cabal-51, sybil-k1, sybil-k4, sybil-noisy-k4, random,
    /// late-joiner, quality-change. Prints per agent stake share, emission share and dividends
    /// per 1000 TAO per tempo, then the measures: copier gain G, cabal and random miners'
    /// share, sybil gain (against a companion run with the model under one hotkey), and the
    /// Spearman correlation of true quality and incentive. `--scoring shapley` scores miners by
    /// their Shapley value in the ensemble of all answers instead of their own quality. `--all`
    /// runs every scenario under every variant (and the copier at reveal delays 0-3), the sybil,
    /// honest and random scenarios also under Shapley scoring, and prints a Markdown report.
    ///
    /// Example: yuma sim sybil-k4 --scoring shapley --variant yuma3
    Sim(tools::sim::SimArgs),
    /// Send an HTTP request signed with btauth/1 by the wallet's hotkey.
    ///
    /// Like curl: prints the response body on stdout and exits 1 on an HTTP error status (printing
    /// the status and body on stderr). The request is GET, or POST when --data is given; the body
    /// is sent as `application/json` unless a --header sets another Content-Type. Bind the request
    /// to the server's hotkey with --receiver: servers using `bittensor.http_auth` refuse unbound
    /// requests by default. Plain http only: btauth/1 authenticates the request itself.
    #[command(
        after_long_help = "Example:\n  yuma query http://127.0.0.1:8091/generate --data '{\"prompt\":\"hi\"}' --receiver 5F..."
    )]
    Query(neurons::query::QueryArgs),
    /// Manage wallets: create keys, list them, sign and verify messages.
    Wallet(wallet::WalletCommand),
    /// Run a node: a dev chain, or one validator of a chain spec, with JSON-RPC on --rpc-port.
    ///
    /// Blocks are ordered and finalized by the simplex BFT engine: --dev is a network of one
    /// validator; with --chain-spec and --key the node is one of the spec's validators and
    /// talks to the others over authenticated TCP. A block follows its parent by at least
    /// --block-time ms. Keeps the chain in --base-path (it restarts from there and fetches the
    /// finalized blocks it missed from its peers), serves JSON-RPC over HTTP and WebSocket and
    /// /metrics on one port, and stops cleanly on Ctrl-C or SIGTERM. Prints `yuma: rpc
    /// listening on http://ADDR` on stderr.
    #[command(
        after_long_help = "Example:\n  yuma node --dev --base-path /tmp/yuma-dev --block-time 500"
    )]
    Node(chain::node::NodeArgs),
    /// Generate chain specs and validator keys for multi-validator chains.
    #[command(subcommand)]
    Chain(chain::spec::ChainCommand),
    /// Run a whole network on this machine: a dev chain, a subnet, validators and miners.
    ///
    /// Starts a dev node (chain in DATA_DIR/chain), creates unencrypted wallets in
    /// DATA_DIR/wallets funded by //Alice, creates a subnet owned by validator-0 with fast
    /// hyperparameters (set through sudo: short tempo, commit-reveal with a reveal period of one
    /// tempo), registers and stakes two validators and six miners (models forest, tree, knn,
    /// linear, mean and random), and runs each as a child process with its log in
    /// DATA_DIR/logs/NAME.log, plus a paid-inference gateway under validator-0 (`yuma gateway`,
    /// ledger in DATA_DIR/gateway). Prints the RPC, metrics, miner and gateway URLs, then a live summary
    /// on stderr: block, epoch, time to the next epoch, each miner's incentive, earnings and
    /// measured quality, the validators' dividends. Epochs pay out within a minute.
    ///
    /// Run it again on the same data dir to resume (nothing is set up twice); --fresh starts
    /// over. Ctrl-C or SIGTERM stops every child, then the node. --blocks N or --epochs N stop
    /// it by itself, counted from when every neuron is up; with --json it then prints one JSON
    /// document: per miner name, model, uid, hotkey, incentive (u16), emission (alpha rao
    /// earned during the run) and quality (the validators' mean score EMA), the validators,
    /// blocks, epochs, the Spearman correlation of quality and incentive (over the honest
    /// miners), the share of miner emission earned by the mean and random miners and by the
    /// forest miner with its sybils (`forest_share`), and the gateway's URL.
    ///
    /// --sybils N adds N hotkeys under the forest miner's coldkey serving the forest model
    /// (with --sybil-noise, near-copies); the validators score by marginal contribution
    /// (--scoring shapley, the default), so the copies share one model's earnings.
    #[command(
        after_long_help = "Examples:\n  yuma localnet\n  yuma localnet --fresh --rpc-port 0 --epochs 5 --json > summary.json\n  yuma localnet --fresh --sybils 3 --epochs 8 --seed 7"
    )]
    Localnet(localnet::LocalnetArgs),
    /// Show an account's free TAO and nonce.
    #[command(
        after_long_help = "Example:\n  yuma balance --address 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
    )]
    Balance(chain::balance::BalanceArgs),
    /// Send TAO from the wallet's coldkey and wait until a block includes it.
    #[command(
        after_long_help = "Example:\n  yuma transfer --dest 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty --amount 1.5"
    )]
    Transfer(chain::balance::TransferArgs),
    /// Show a block with its transactions and events.
    #[command(after_long_help = "Example:\n  yuma block 12 --json")]
    Block(chain::block::BlockArgs),
    /// List, inspect, create and join subnets.
    #[command(after_long_help = "Example:\n  yuma subnet register --netuid 1 --hotkey miner")]
    Subnet(chain::subnet::SubnetCommand),
    /// Stake TAO on hotkeys in subnet pools, unstake, and list stakes.
    #[command(after_long_help = "Example:\n  yuma stake add --netuid 1 --amount 10")]
    Stake(chain::stake::StakeCommand),
    /// Show every neuron of a subnet: stake, scores, emission, permits.
    #[command(after_long_help = "Example:\n  yuma metagraph --netuid 1 --json")]
    Metagraph(chain::metagraph::MetagraphArgs),
    /// Set, commit or reveal a validator's weights.
    #[command(
        after_long_help = "Example:\n  yuma weights set --netuid 1 --uids 0,1 --weights 100,300"
    )]
    Weights(chain::weights::WeightsCommand),
    /// Publish the hotkey's axon (IP and port) on a subnet.
    #[command(
        after_long_help = "Example:\n  yuma axon serve --netuid 1 --ip 203.0.113.7 --port 8091"
    )]
    Axon(chain::axon::AxonCommand),
    /// Serve a model on a subnet: answer validators' challenges over btauth/1 HTTP.
    ///
    /// Needs a hotkey registered on the subnet. Binds --host:--port, publishes the address on
    /// chain with serve_axon (--external-ip, or --host), prints `yuma: miner listening on
    /// http://ADDR` on stderr, and serves until Ctrl-C or SIGTERM. Only hotkeys registered on
    /// the subnet with a validator permit are answered; past --max-concurrency, requests from
    /// the lowest stake are shed with 429. The model is built in (--model) or your own, in
    /// any language: a model server (--backend) or a child process (--backend-cmd); the
    /// protocol is in python/README.md.
    #[command(
        after_long_help = "Examples:\n  yuma miner --netuid 1 --model forest --wallet-name miner\n  \
                           yuma miner --netuid 1 --backend-cmd \"python3 my_model.py\" --wallet-name miner\n  \
                           yuma miner --netuid 1 --backend http://127.0.0.1:8000/solve --wallet-name miner"
    )]
    Miner(neurons::miner::MinerArgs),
    /// Validate a subnet: query its miners, score them, and set their weights each tempo.
    ///
    /// Needs a hotkey registered on the subnet (weights need a validator permit, given at the
    /// subnet's epochs). Prints `yuma: validator running on subnet N` on stderr, then each step
    /// queries every miner with a served axon, keeps a moving average of scores and, once per
    /// tempo, commits weights and reveals them a tempo later (or sets them directly when the
    /// subnet has commit-reveal off). Runs until Ctrl-C or SIGTERM.
    #[command(
        after_long_help = "Example:\n  yuma validator --netuid 1 --wallet-name validator --status-file /tmp/v.json"
    )]
    Validator(neurons::validator::ValidatorArgs),
    /// Sell a subnet's answers for TAO: an HTTP gateway routing signed user requests to miners.
    ///
    /// Run under a hotkey registered on the subnet with a validator permit (miners answer only
    /// validators). Users pay by transferring TAO to the wallet's coldkey (credited once the
    /// block is seen; the ledger is kept in --data-dir), then POST the subnet's challenge to
    /// /v1/solve signed with btauth/1 by the paying account (`yuma query --use-coldkey
    /// --receiver HOTKEY`). Each answer costs --price TAO (per member with "ensemble": k);
    /// --stake-share of revenue is staked back into the subnet. Routes by incentive, latency
    /// and errors, hedging slow miners. Prints `yuma: gateway listening on http://ADDR` on
    /// stderr and stops on Ctrl-C or SIGTERM. See crates/gateway/README.md for the API.
    #[command(
        after_long_help = "Example:\n  yuma gateway --netuid 1 --wallet-name validator --price 0.001 --stake-share 50%"
    )]
    Gateway(neurons::gateway::GatewayArgs),
}

/// Runs one command to completion.
pub(crate) fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Epoch(command) => tools::epoch::run(command),
        Command::Bench(command) => bench::run(command),
        Command::Sim(args) => tools::sim::run(args),
        Command::Query(args) => neurons::query::run(args),
        Command::Wallet(command) => wallet::run(command),
        Command::Node(args) => chain::node::run(&args),
        Command::Chain(cmd) => chain::spec::run(&cmd),
        Command::Localnet(args) => localnet::run(&args),
        Command::Balance(args) => chain::balance::balance(&args),
        Command::Transfer(args) => chain::balance::transfer(&args),
        Command::Block(args) => chain::block::run(&args),
        Command::Subnet(cmd) => chain::subnet::run(&cmd),
        Command::Stake(cmd) => chain::stake::run(&cmd),
        Command::Metagraph(args) => chain::metagraph::run(&args),
        Command::Weights(cmd) => chain::weights::run(&cmd),
        Command::Axon(cmd) => chain::axon::run(&cmd),
        Command::Miner(args) => neurons::miner::run(&args),
        Command::Validator(args) => neurons::validator::run(&args),
        Command::Gateway(args) => neurons::gateway::run(&args),
    }
}
