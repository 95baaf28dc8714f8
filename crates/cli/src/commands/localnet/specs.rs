//! The command lines of a localnet's children: each neuron and the gateway, per the neuron
//! contract (flags, wallets, status files, ready lines).

use std::ffi::OsString;

use yuma_cli::process::Ready;

use super::args::LocalnetArgs;
use super::children::Spec;
use super::dirs::Dirs;
use super::roster::{Backend, HOTKEY, Neuron, Role, Subnet};

/// The child process of one neuron, per the neuron contract.
pub(super) fn spec(
    neuron: &Neuron,
    netuid: u16,
    rpc: &str,
    dirs: &Dirs,
    args: &LocalnetArgs,
    subnet: &Subnet,
) -> Spec {
    let mut argv: Vec<OsString> = Vec::new();
    let ready = match neuron.role {
        Role::Miner {
            model, noise_ppm, ..
        } => {
            argv.extend(["miner", "--host", "127.0.0.1", "--port", "0"].map(OsString::from));
            let (flag, value) = match &neuron.backend {
                None => ("--model", model),
                Some(Backend::Url(url)) => ("--backend", url.as_str()),
                Some(Backend::Command(command)) => ("--backend-cmd", command.as_str()),
            };
            argv.extend([flag, value].map(OsString::from));
            if noise_ppm > 0 {
                argv.push("--noise".into());
                argv.push((f64::from(noise_ppm) / 1e6).to_string().into());
            }
            Ready::Miner
        }
        Role::Validator { .. } => {
            // Several steps per epoch, so that each commit rests on fresh scores.
            let epoch_ms = u64::from(args.tempo) * args.block_time;
            let interval = (epoch_ms / 4).clamp(250, 2000);
            argv.extend([
                "validator".into(),
                "--interval-ms".into(),
                interval.to_string().into(),
                "--scoring".into(),
                subnet.scoring.as_ref().unwrap_or(&args.scoring).into(),
            ]);
            if let Some(task) = &subnet.task_cmd {
                argv.extend(["--task-cmd".into(), task.into()]);
            }
            if let Some(seed) = args.seed {
                argv.push("--seed".into());
                argv.push(seed.to_string().into());
            }
            argv.push("--status-file".into());
            argv.push(dirs.status_file(&neuron.name).into());
            Ready::Validator
        }
    };
    argv.extend(["--netuid".into(), netuid.to_string().into()]);
    argv.push("--wallet-path".into());
    argv.push(dirs.wallets.clone().into());
    argv.extend(
        [
            "--wallet-name",
            neuron.wallet.as_str(),
            "--hotkey",
            neuron.hotkey.as_str(),
            "--rpc",
            rpc,
        ]
        .map(OsString::from),
    );
    Spec {
        name: neuron.name.clone(),
        args: argv,
        log: dirs.logs.join(format!("{}.log", neuron.name)),
        ready,
    }
}

/// The gateway child: `yuma gateway` under the subnet's first validator, `wallet` (registered,
/// with a permit from the first epoch), its ledger under `gateway/`.
pub(super) fn gateway_spec(netuid: u16, rpc: &str, dirs: &Dirs, wallet: &str) -> Spec {
    let mut argv: Vec<OsString> = ["gateway", "--host", "127.0.0.1", "--port", "0"]
        .map(OsString::from)
        .to_vec();
    argv.extend(["--netuid".into(), netuid.to_string().into()]);
    argv.push("--data-dir".into());
    argv.push(dirs.gateway.clone().into());
    argv.push("--wallet-path".into());
    argv.push(dirs.wallets.clone().into());
    argv.extend(["--wallet-name", wallet, "--hotkey", HOTKEY, "--rpc", rpc].map(OsString::from));
    Spec {
        name: "gateway".into(),
        args: argv,
        log: dirs.logs.join("gateway.log"),
        ready: Ready::Gateway,
    }
}
