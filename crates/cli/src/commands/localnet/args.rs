//! The flags of `yuma localnet`.

use std::path::PathBuf;

use clap::Args;

use crate::args::OutputArgs;

/// Flags of `yuma localnet`.
#[derive(Debug, Args)]
pub(crate) struct LocalnetArgs {
    /// Folder of the chain, wallets, logs and validator status files (reused on restart).
    #[arg(long, default_value = "./.yuma-localnet")]
    pub(super) data_dir: PathBuf,
    /// JSON-RPC and metrics port of the node (0 picks a free one); with several validator
    /// nodes, node I serves on this port + I.
    #[arg(long, default_value_t = yuma_node::config::DEFAULT_RPC_PORT)]
    pub(super) rpc_port: u16,
    /// Validator nodes of the chain. 1 runs a dev node inside localnet; more run that many
    /// `yuma node` processes that agree on every block by BFT consensus (simplex), and spread
    /// the neurons over their RPC endpoints.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=16))]
    pub(super) validators: u16,
    /// Milliseconds between blocks.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(50..=60_000))]
    pub(super) block_time: u64,
    /// Blocks between two epochs of the subnet.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(2..=360))]
    pub(super) tempo: u16,
    /// Stop after N blocks, counted from when every neuron is up.
    #[arg(long, value_name = "N", conflicts_with = "epochs")]
    pub(super) blocks: Option<u64>,
    /// Stop after N epochs of the subnet, counted from when every neuron is up.
    #[arg(long, value_name = "N")]
    pub(super) epochs: Option<u64>,
    /// Delete the data dir's chain, wallets, logs and status files first.
    #[arg(long)]
    pub(super) fresh: bool,
    /// Add N sybils of the forest miner: N more hotkeys under its coldkey serving the same
    /// model (wallet `miner-forest`, hotkeys `sybil-1`..), to see what copies earn.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=16), conflicts_with = "config")]
    pub(super) sybils: u16,
    /// Noise the sybils add to the forest's answers (0 to 1; 0 = exact copies).
    #[arg(long, value_name = "F", default_value_t = 0.0, value_parser = crate::args::unit_interval)]
    pub(super) sybil_noise: f64,
    /// How the validators score the miners: `shapley` (each miner's marginal contribution to
    /// the ensemble of answers) or `independent` (each answer alone).
    #[arg(long, default_value = "shapley", value_parser = ["shapley", "independent"])]
    pub(super) scoring: String,
    /// Have the validators draw their tasks from this seed (each validator its own stream),
    /// so that two runs see the same tasks; default: fresh randomness.
    #[arg(long, value_name = "N")]
    pub(super) seed: Option<u64>,
    /// Run the subnets this TOML file declares instead of the default one: per subnet its
    /// task (built in, or a task program) and its miners (built-in models, model servers or
    /// child processes); see examples/localnet.toml. Commands run from the current directory.
    #[arg(long, value_name = "FILE")]
    pub(super) config: Option<PathBuf>,
    #[command(flatten)]
    pub(super) output: OutputArgs,
}
