//! `yuma axon serve`: publish the hotkey's axon address on a subnet.

use std::net::IpAddr;

use clap::{Args, Subcommand};
use serde_json::json;
use yuma_client::Call;
use yuma_primitives::NetUid;

use yuma_cli::output;

use super::{ChainArgs, client, runtime, submit_and_wait};

/// Flags of `yuma axon`.
#[derive(Debug, Args)]
pub(crate) struct AxonCommand {
    #[command(subcommand)]
    command: AxonSubcommand,
    #[command(flatten)]
    chain: ChainArgs,
}

#[derive(Debug, Subcommand)]
enum AxonSubcommand {
    /// Publish where the hotkey's miner or validator serves (signed by the hotkey).
    #[command(
        after_long_help = "Example:\n  yuma axon serve --netuid 1 --ip 203.0.113.7 --port 8091"
    )]
    Serve {
        /// The subnet.
        #[arg(long)]
        netuid: u16,
        /// Public IP address (v4 or v6).
        #[arg(long)]
        ip: IpAddr,
        /// Port.
        #[arg(long)]
        port: u16,
        /// Protocol number, as bittensor's axon (4).
        #[arg(long, default_value_t = 4)]
        protocol: u8,
        /// Software version number.
        #[arg(long, default_value_t = 0)]
        version: u32,
    },
}

pub(crate) fn run(cmd: &AxonCommand) -> anyhow::Result<()> {
    let AxonSubcommand::Serve {
        netuid,
        ip,
        port,
        protocol,
        version,
    } = &cmd.command;
    let (ip_bits, ip_type) = match ip {
        IpAddr::V4(v4) => (u128::from(u32::from(*v4)), 4),
        IpAddr::V6(v6) => (u128::from(*v6), 6),
    };
    let hotkey = cmd.chain.signer.hotkey()?;
    let call = Call::ServeAxon {
        netuid: NetUid(*netuid),
        version: *version,
        ip: ip_bits,
        port: *port,
        ip_type,
        protocol: *protocol,
    };
    let client = client(&cmd.chain.rpc);
    let result = runtime()?.block_on(submit_and_wait(&client, &hotkey, call))?;
    if cmd.chain.output.json {
        return Ok(output::json(&json!(result))?);
    }
    output::line(&format!(
        "{} serves {ip}:{port} on subnet {netuid}",
        hotkey.public()
    ))?;
    Ok(())
}
