//! `yuma subnet list | info | hyperparameters | set | set-identity | create | register`:
//! subnets, their hyperparameters and identity, and burned registration.

use anyhow::Context as _;
use clap::{Args, Subcommand};
use serde_json::json;
use yuma_client::{Call, SubnetIdentity, SubnetInfo};
use yuma_primitives::{Balance, NetUid};

use super::{ChainArgs, client, identity, rpc_error, runtime, submit_and_wait};
use yuma_cli::output;

use crate::failure::Refused;
use yuma_runtime::{Event, SudoCall};

/// Flags of `yuma subnet`.
#[derive(Debug, Args)]
pub(crate) struct SubnetCommand {
    #[command(subcommand)]
    command: SubnetSubcommand,
    #[command(flatten)]
    chain: ChainArgs,
}

#[derive(Debug, Subcommand)]
enum SubnetSubcommand {
    /// List every subnet.
    #[command(after_long_help = "Example:\n  yuma subnet list --json")]
    List,
    /// Show a subnet's state, pool and identity (with --json, its hyperparameters too).
    #[command(
        visible_alias = "show",
        after_long_help = "Example:\n  yuma subnet info 1 --json"
    )]
    Info {
        /// The subnet.
        netuid: u16,
    },
    /// Show a subnet's hyperparameters.
    #[command(after_long_help = "Example:\n  yuma subnet hyperparameters 1 --json")]
    Hyperparameters {
        /// The subnet.
        netuid: u16,
    },
    /// Set one hyperparameter of a subnet (as its owner coldkey, or as sudo on a dev chain).
    ///
    /// PARAM is a name `yuma subnet hyperparameters` prints (`alpha_values` takes LOW,HIGH).
    /// Signed by the sudo key (e.g. `--uri //Alice` on the dev chain) the call goes through
    /// sudo, which may set every parameter; an owner may not set tempo, kappa,
    /// max_allowed_validators, weights_rate_limit, burn_half_life or burn_increase_mult_ppm.
    /// Waits for inclusion.
    #[command(
        after_long_help = "Example:\n  yuma subnet set 1 --param tempo --value 10 --uri //Alice"
    )]
    Set {
        /// The subnet.
        netuid: u16,
        /// The hyperparameter's name.
        #[arg(long)]
        param: String,
        /// Its new value (a number, true/false, or LOW,HIGH for alpha_values).
        #[arg(long)]
        value: String,
    },
    /// Publish a subnet's identity: its name, description and task program.
    ///
    /// Signed by the subnet's owner coldkey (or the sudo key on a dev chain). --task-file
    /// publishes the blake2b-256 of the task program, so validators can check that the program
    /// they run is this one; --task-url says where to get it. A second set replaces the first.
    /// Waits for inclusion.
    #[command(
        after_long_help = "Example:\n  yuma subnet set-identity 1 --name tabular \\\n    \
        --description 'Fresh tabular learning tasks' --task-file task.py \\\n    \
        --task-url https://example.org/task.py --wallet-name owner"
    )]
    SetIdentity(identity::SetIdentityArgs),
    /// Create a subnet owned by the wallet's coldkey, with its hotkey as owner hotkey.
    ///
    /// Locks the current lock cost (see `yuma subnet list`); waits for inclusion.
    #[command(after_long_help = "Example:\n  yuma subnet create --wallet-name owner")]
    Create,
    /// Register the wallet's hotkey on a subnet by burning the registration price.
    #[command(after_long_help = "Example:\n  yuma subnet register --netuid 1 --hotkey miner")]
    Register {
        /// The subnet.
        #[arg(long)]
        netuid: u16,
    },
}

pub(crate) fn run(cmd: &SubnetCommand) -> anyhow::Result<()> {
    let client = client(&cmd.chain.rpc);
    let rt = runtime()?;
    match &cmd.command {
        SubnetSubcommand::List => {
            let subnets = rt
                .block_on(client.subnets())
                .map_err(rpc_error)
                .context("listing subnets")?;
            if cmd.chain.output.json {
                return Ok(output::json(&subnets)?);
            }
            output::line(&format!(
                "{:>6}  {:<20}  {:>4}  {:>18}  {:>18}  owner",
                "netuid", "name", "n", "tao_in", "price (rao)"
            ))?;
            for s in subnets {
                output::line(&format!(
                    "{:>6}  {:<20}  {:>4}  {:>18}  {:>18}  {}",
                    s.netuid.0,
                    list_name(s.identity.as_ref()),
                    s.n,
                    Balance(s.pool.pool.tao_reserve),
                    s.pool.price,
                    s.owner
                ))?;
            }
            Ok(())
        }
        SubnetSubcommand::Info { netuid } => {
            let subnet = rt
                .block_on(client.subnet(NetUid(*netuid)))
                .map_err(rpc_error)
                .context("reading the subnet")?
                .ok_or_else(|| Refused(format!("no subnet {netuid}")))?;
            if cmd.chain.output.json {
                return Ok(output::json(&subnet)?);
            }
            for line in info_lines(&subnet) {
                output::line(&line)?;
            }
            Ok(())
        }
        SubnetSubcommand::Hyperparameters { netuid } => {
            let params: Option<serde_json::Value> = rt
                .block_on(client.call("subnet_hyperparameters", json!([netuid])))
                .map_err(rpc_error)
                .context("reading the hyperparameters")?;
            let params = params.ok_or_else(|| Refused(format!("no subnet {netuid}")))?;
            if cmd.chain.output.json {
                return Ok(output::json(&params)?);
            }
            if let Some(map) = params.as_object() {
                for (name, value) in map {
                    output::line(&format!("{name:<28} {value}"))?;
                }
            }
            Ok(())
        }
        SubnetSubcommand::Set {
            netuid,
            param,
            value,
        } => set(cmd, &client, &rt, NetUid(*netuid), param, value),
        SubnetSubcommand::SetIdentity(args) => identity::set(&cmd.chain, &client, &rt, args),
        SubnetSubcommand::Create => {
            let coldkey = cmd.chain.signer.coldkey()?;
            let hotkey = cmd.chain.signer.hotkey_public()?;
            let result = rt.block_on(submit_and_wait(
                &client,
                &coldkey,
                Call::RegisterNetwork { hotkey },
            ))?;
            let netuid = result.included.as_ref().and_then(|i| {
                i.receipt.events.iter().find_map(|e| match e {
                    Event::NetworkAdded { netuid, .. } => Some(netuid.0),
                    _ => None,
                })
            });
            if cmd.chain.output.json {
                return Ok(output::json(&json!({"netuid": netuid, "submit": result}))?);
            }
            match netuid {
                Some(n) => output::line(&format!("created subnet {n}"))?,
                None => output::line(&format!("transaction {} included", result.hash))?,
            }
            Ok(())
        }
        SubnetSubcommand::Register { netuid } => {
            let coldkey = cmd.chain.signer.coldkey()?;
            let hotkey = cmd.chain.signer.hotkey_public()?;
            let result = rt.block_on(submit_and_wait(
                &client,
                &coldkey,
                Call::BurnedRegister {
                    netuid: NetUid(*netuid),
                    hotkey,
                },
            ))?;
            let uid = result.included.as_ref().and_then(|i| {
                i.receipt.events.iter().find_map(|e| match e {
                    Event::NeuronRegistered { uid, .. } => Some(*uid),
                    _ => None,
                })
            });
            if cmd.chain.output.json {
                return Ok(output::json(
                    &json!({"netuid": netuid, "hotkey": hotkey, "uid": uid, "submit": result}),
                )?);
            }
            match uid {
                Some(uid) => output::line(&format!(
                    "registered {hotkey} on subnet {netuid} as uid {uid}"
                ))?,
                None => output::line(&format!("transaction {} included", result.hash))?,
            }
            Ok(())
        }
    }
}

/// The name column of `yuma subnet list`: at most 20 characters, `-` when unset.
fn list_name(identity: Option<&SubnetIdentity>) -> String {
    match identity {
        None => "-".to_string(),
        Some(id) if id.name.chars().count() > 20 => {
            format!("{}...", id.name.chars().take(17).collect::<String>())
        }
        Some(id) => id.name.clone(),
    }
}

/// `yuma subnet info` for people: state, pool and identity (hyperparameters have their own
/// command).
fn info_lines(s: &SubnetInfo) -> Vec<String> {
    const W: usize = 16;
    let mut out = vec![
        format!("{:<W$}{}", "netuid", s.netuid.0),
        format!("{:<W$}{}", "owner", s.owner),
        format!("{:<W$}{}", "owner hotkey", s.owner_hotkey),
        format!("{:<W$}{}", "registered at", s.registered_at),
        format!("{:<W$}{}", "neurons", s.n),
        format!("{:<W$}{} TAO", "burn", Balance(s.burn)),
        format!("{:<W$}{} TAO", "lock", Balance(s.lock)),
        format!(
            "{:<W$}{} TAO",
            "pool tao_in",
            Balance(s.pool.pool.tao_reserve)
        ),
        format!("{:<W$}{} rao per alpha", "price", s.pool.price),
        format!("{:<W$}{}", "tempo", s.hyperparams.tempo),
        format!("{:<W$}{}", "last epoch", s.last_epoch_block),
    ];
    out.extend(identity::lines(s.identity.as_ref(), W));
    out.push(format!(
        "(hyperparameters: yuma subnet hyperparameters {})",
        s.netuid.0
    ));
    out
}

/// `yuma subnet set`: through sudo when the signer is the chain's sudo key, else as owner.
fn set(
    cmd: &SubnetCommand,
    client: &yuma_client::Client,
    rt: &tokio::runtime::Runtime,
    netuid: NetUid,
    name: &str,
    value: &str,
) -> anyhow::Result<()> {
    let current = rt
        .block_on(client.subnet(netuid))
        .map_err(rpc_error)
        .context("reading the subnet")?
        .ok_or_else(|| Refused(format!("no subnet {}", netuid.0)))?
        .hyperparams;
    let param = super::hyperparam::parse(name, value, &current)?;
    let coldkey = cmd.chain.signer.coldkey()?;
    let sudo = rt
        .block_on(client.params())
        .map_err(rpc_error)
        .context("reading the chain parameters")?
        .sudo;
    let via_sudo = sudo == Some(coldkey.public());
    let call = if via_sudo {
        Call::Sudo {
            call: SudoCall::SetSubnetHyperparameter { netuid, param },
        }
    } else {
        Call::SetSubnetHyperparameter { netuid, param }
    };
    let result = rt.block_on(submit_and_wait(client, &coldkey, call))?;
    let after = rt
        .block_on(client.subnet(netuid))
        .map_err(rpc_error)
        .context("reading the subnet")?
        .map(|s| s.hyperparams);
    if cmd.chain.output.json {
        return Ok(output::json(&json!({
            "netuid": netuid.0,
            "param": name,
            "sudo": via_sudo,
            "hyperparameters": after,
            "submit": result,
        }))?);
    }
    output::line(&format!(
        "set {name} of subnet {} to {value}{}",
        netuid.0,
        if via_sudo { " (sudo)" } else { "" }
    ))?;
    Ok(())
}
