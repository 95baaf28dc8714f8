//! A dev node with a fast subnet, for the miner and validator tests: `yuma node --dev` on a
//! free port, a subnet created by //Alice with a short tempo, neurons registered from
//! secret URIs, and `yuma` service processes whose stderr is read line by line.

use std::ffi::OsStr;
use std::process::{Command, Stdio};
use std::time::Duration;

use yuma_cli::process::{Process, Ready};
use yuma_client::{Call, Client, Metagraph};
use yuma_keys::Pair;
use yuma_primitives::{Balance, NetUid};
use yuma_runtime::{Hyperparameter, SudoCall};

use crate::util::yuma;

/// A running `yuma` process (the binary's own [`Process`]) with the conveniences a test
/// wants: it starts or the test fails, and waiting fails the test with what was seen.
pub(crate) struct Service(Process);

impl Service {
    /// Starts `yuma args`, reading its stderr.
    pub(crate) fn start<S: AsRef<OsStr>>(args: &[S]) -> Self {
        let mut command = yuma();
        command.args(args).stdout(Stdio::null());
        Self::spawn(command, None)
    }

    /// Starts `command` (its stdout as the caller set it), reading its stderr; with `echo`,
    /// each line is also printed with that prefix, so a failing test shows them live.
    pub(crate) fn spawn(command: Command, echo: Option<&'static str>) -> Self {
        Self(Process::spawn(command, echo).expect("the yuma binary starts"))
    }

    /// Every stderr line seen so far.
    pub(crate) fn seen(&self) -> &[String] {
        &self.0.seen
    }

    /// Adds the stderr lines already read to `seen` without waiting.
    pub(crate) fn drain(&mut self) {
        self.0.drain();
    }

    /// Waits for a stderr line containing `needle`; returns it.
    pub(crate) fn wait_for_line(&mut self, needle: &str, within: Duration) -> String {
        self.0
            .wait_for_line(needle, within)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Waits for the `ready` line; returns what follows its prefix.
    pub(crate) fn wait_ready(&mut self, ready: Ready, within: Duration) -> String {
        self.0
            .wait_ready(ready, within)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Whether the process is still running.
    pub(crate) fn running(&mut self) -> bool {
        self.0.running()
    }

    /// The process id.
    pub(crate) fn id(&self) -> u32 {
        self.0.id()
    }

    /// The child, for signals and waiting.
    pub(crate) fn child(&mut self) -> &mut std::process::Child {
        self.0.child()
    }

    /// Kills the process (SIGKILL) and reaps it.
    pub(crate) fn kill(&mut self) {
        self.0.kill();
    }
}

/// A dev node and a client of it.
pub(crate) struct DevNet {
    _node: Service,
    _dir: tempfile::TempDir,
    pub(crate) url: String,
    rt: tokio::runtime::Runtime,
    client: Client,
    alice: Pair,
}

/// A secret URI's key pair.
pub(crate) fn pair(uri: &str) -> Pair {
    Pair::from_uri(uri).expect("a valid secret URI")
}

impl DevNet {
    /// Starts a dev node with 100 ms blocks.
    pub(crate) fn start() -> Self {
        let dir = tempfile::tempdir().expect("a temp dir");
        let mut node = Service::start(&[
            "node".into(),
            "--dev".into(),
            "--block-time".into(),
            "100".into(),
            "--rpc-port".into(),
            "0".into(),
            "--base-path".into(),
            dir.path().display().to_string(),
        ]);
        let url = node.wait_ready(Ready::Rpc, Duration::from_secs(60));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        Self {
            _node: node,
            _dir: dir,
            client: Client::new(url.clone()),
            url,
            rt,
            alice: pair("//Alice"),
        }
    }

    /// Submits `call` signed by `signer` and waits until it is included successfully.
    pub(crate) fn submit(&self, signer: &Pair, call: Call) {
        let what = format!("{call:?}");
        let result = self
            .rt
            .block_on(self.client.sign_and_submit(signer, call, true))
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let inclusion = result.included.expect("waited for inclusion");
        assert!(
            inclusion.receipt.success,
            "{what}: {:?}",
            inclusion.receipt.error
        );
    }

    /// Creates a subnet owned by //Alice with tempo `tempo`, no weights or serving rate
    /// limits, and the default commit-reveal (on, revealed one epoch later).
    pub(crate) fn create_subnet(&self, tempo: u16) -> NetUid {
        let before: Vec<u16> = self.subnets();
        self.submit(
            &self.alice,
            Call::RegisterNetwork {
                hotkey: pair("//Alice//owner").public(),
            },
        );
        let netuid = NetUid(
            self.subnets()
                .into_iter()
                .find(|n| !before.contains(n))
                .expect("a new subnet"),
        );
        for param in [
            Hyperparameter::Tempo { value: tempo },
            Hyperparameter::WeightsRateLimit { value: 0 },
            Hyperparameter::ServingRateLimit { value: 0 },
        ] {
            self.submit(
                &self.alice,
                Call::Sudo {
                    call: SudoCall::SetSubnetHyperparameter { netuid, param },
                },
            );
        }
        netuid
    }

    fn subnets(&self) -> Vec<u16> {
        self.rt
            .block_on(self.client.subnets())
            .expect("subnet_list")
            .into_iter()
            .map(|s| s.netuid.0)
            .collect()
    }

    /// Registers the hotkey of `hotkey_uri` on `netuid` (coldkey //Alice) and stakes
    /// `stake_tao` on it if non-zero.
    pub(crate) fn register(&self, netuid: NetUid, hotkey_uri: &str, stake_tao: u64) {
        let hotkey = pair(hotkey_uri).public();
        self.submit(&self.alice, Call::BurnedRegister { netuid, hotkey });
        if stake_tao > 0 {
            self.submit(
                &self.alice,
                Call::AddStake {
                    hotkey,
                    netuid,
                    amount: Balance(stake_tao * 1_000_000_000),
                    limit_price: None,
                },
            );
        }
    }

    /// The subnet's metagraph.
    pub(crate) fn metagraph(&self, netuid: NetUid) -> Metagraph {
        self.rt
            .block_on(self.client.metagraph(netuid))
            .expect("subnet_metagraph")
            .expect("the subnet exists")
    }

    /// The UID of `hotkey_uri`'s hotkey on `netuid`.
    pub(crate) fn uid(&self, netuid: NetUid, hotkey_uri: &str) -> u16 {
        let hotkey = pair(hotkey_uri).public();
        self.metagraph(netuid)
            .neurons
            .iter()
            .find(|n| n.hotkey == hotkey)
            .expect("registered")
            .uid
    }

    /// Publishes `port` on 127.0.0.1 as the axon of `hotkey_uri`.
    pub(crate) fn serve_axon(&self, netuid: NetUid, hotkey_uri: &str, port: u16) {
        self.submit(
            &pair(hotkey_uri),
            Call::ServeAxon {
                netuid,
                version: 0,
                ip: u128::from(u32::from(std::net::Ipv4Addr::LOCALHOST)),
                port,
                ip_type: 4,
                protocol: 4,
            },
        );
    }

    /// Starts `yuma miner` for `hotkey_uri` with `model`; returns it and its bound address once
    /// it listens.
    pub(crate) fn miner(
        &self,
        netuid: NetUid,
        hotkey_uri: &str,
        model: &str,
        port: u16,
    ) -> (Service, String) {
        let mut miner = Service::start(&[
            "miner".into(),
            "--netuid".into(),
            netuid.0.to_string(),
            "--model".into(),
            model.into(),
            "--port".into(),
            port.to_string(),
            "--uri".into(),
            hotkey_uri.into(),
            "--rpc".into(),
            self.url.clone(),
        ]);
        let url = miner.wait_ready(Ready::Miner, Duration::from_secs(60));
        let addr = url.trim_start_matches("http://").to_string();
        (miner, addr)
    }
}
