//! The localnet's chain state, set up idempotently: wallets, funds, the subnet, its fast
//! hyperparameters, registrations and validator stakes.
//!
//! Every step first reads what is already there and only submits what is missing, so a
//! restart on an existing data dir reuses the chain and the wallets:
//!
//! | step | done when |
//! |---|---|
//! | wallets | `<wallets>/<name>/coldkey` and `hotkeys/default` exist |
//! | funds | the coldkey holds what its remaining steps cost |
//! | subnet | a subnet's owner hotkey is validator-0's hotkey |
//! | hyperparameters | each one has the wanted value |
//! | registration | the hotkey has a UID on the subnet |
//! | stake | the coldkey's stake on its hotkey is worth at least half the wanted TAO |
//!
//! All transactions go through [`yuma_client::Client`]; //Alice (the dev chain's sudo key)
//! funds the wallets and sets the hyperparameters, validator-0 owns the subnet (its hotkey
//! is UID 0), everyone else registers by burning.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use yuma_client::{Call, Client, Metagraph};
use yuma_keys::{Mnemonic, Pair};
use yuma_primitives::{AccountId, Balance, NetUid, RAO_PER_TAO};
use yuma_runtime::{Event, SudoCall};
use yuma_wallet::Save;
use yuma_wallet::Wallet;

use super::hyperparams::set_hyperparameters;
use super::roster::{Neuron, Role};
use super::submit::{submit, submit_batch};
use crate::commands::chain::rpc_error;

/// Smallest subnet lock the localnet asks for: a deep pool, so that the validators' stakes buy
/// alpha at a price near 1 and dwarf what the miners earn (a 10 TAO pool would sell a 10,000
/// TAO stake less than 10 alpha).
const SUBNET_LOCK: u64 = 100_000 * RAO_PER_TAO;
/// What a burned registration may cost (1 TAO at first, x1.26 per registration).
const REGISTRATION_FUNDS: u64 = 50 * RAO_PER_TAO;
/// Transaction fees a wallet may pay during set-up.
const FEE_FUNDS: u64 = RAO_PER_TAO;

/// One neuron's keys and place on the subnet, once set up.
pub(super) struct Member {
    /// The neuron (wallet name and role).
    pub(super) neuron: Neuron,
    /// Its hotkey.
    pub(super) hotkey: AccountId,
    /// Its UID on the subnet.
    pub(super) uid: u16,
}

/// The subnet and its neurons.
pub(super) struct Network {
    /// The subnet.
    pub(super) netuid: NetUid,
    /// Its tempo on chain.
    pub(super) tempo: u16,
    /// The neurons, in the order of [`super::roster()`].
    pub(super) members: Vec<Member>,
}

/// A neuron's wallet, opened.
struct Keys {
    neuron: Neuron,
    coldkey: Pair,
    hotkey: Pair,
}

/// Sets up everything for `roster` and returns where each neuron sits.
///
/// # Errors
/// When a wallet cannot be read or written, the node cannot be reached, or a transaction is
/// refused.
pub(super) async fn run(
    client: &Client,
    wallets: &Path,
    roster: Vec<Neuron>,
    tempo: u16,
) -> anyhow::Result<Network> {
    let mut created = 0;
    let mut keys = Vec::new();
    for neuron in roster {
        let (coldkey, hotkey, new) = open_or_create(wallets, &neuron.wallet, &neuron.hotkey)?;
        created += usize::from(new);
        keys.push(Keys {
            neuron,
            coldkey,
            hotkey,
        });
    }
    eprintln!(
        "yuma: [1/5] wallets: {} in {} ({created} created, unencrypted)",
        keys.len(),
        wallets.display()
    );
    let owner = keys.first().context("the roster has validator-0 first")?;
    let owner_hotkey = owner.hotkey.public();

    let alice = yuma_node::genesis::dev_pair("Alice");
    let existing = find_subnet(client, &owner_hotkey).await?;
    fund(client, &alice, &keys, existing).await?;

    let netuid = match existing {
        Some(netuid) => {
            eprintln!("yuma: [3/5] subnet {} exists, reusing it", netuid.0);
            netuid
        }
        None => {
            let result = submit(
                client,
                &owner.coldkey,
                Call::RegisterNetwork {
                    hotkey: owner_hotkey,
                },
                "creating the subnet",
            )
            .await?;
            let netuid = result
                .included
                .iter()
                .flat_map(|i| &i.receipt.events)
                .find_map(|e| match e {
                    Event::NetworkAdded { netuid, .. } => Some(*netuid),
                    _ => None,
                })
                .context("creating the subnet: no NetworkAdded event")?;
            eprintln!("yuma: [3/5] created subnet {}", netuid.0);
            netuid
        }
    };

    let hyperparams = set_hyperparameters(client, &alice, netuid, tempo).await?;
    enroll(client, netuid, &keys).await?;

    let metagraph = client
        .metagraph(netuid)
        .await
        .map_err(rpc_error)
        .context("reading the metagraph")?
        .with_context(|| format!("subnet {} vanished", netuid.0))?;
    let members = keys
        .into_iter()
        .map(|k| {
            let hotkey = k.hotkey.public();
            let uid = metagraph
                .neurons
                .iter()
                .find(|n| n.hotkey == hotkey)
                .map(|n| n.uid)
                .with_context(|| format!("{} is not registered after set-up", k.neuron.name))?;
            Ok(Member {
                neuron: k.neuron,
                hotkey,
                uid,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Network {
        netuid,
        tempo: hyperparams.tempo,
        members,
    })
}

/// Opens wallet `name` (its coldkey and hotkey `hotkey`), creating what is missing. Returns
/// whether anything was created.
fn open_or_create(wallets: &Path, name: &str, hotkey: &str) -> anyhow::Result<(Pair, Pair, bool)> {
    let wallet = Wallet::new(wallets, name).with_context(|| format!("choosing wallet {name}"))?;
    let mut created = false;
    if !wallet.coldkey_path().exists() {
        let mnemonic = Mnemonic::generate(12).context("generating a mnemonic")?;
        wallet
            .save_coldkey(
                &Pair::from_mnemonic(&mnemonic),
                Some(&mnemonic),
                Save::default(),
            )
            .with_context(|| format!("saving the coldkey of wallet {name}"))?;
        created = true;
    }
    if !wallet.hotkey_path(hotkey).exists() {
        let mnemonic = Mnemonic::generate(12).context("generating a mnemonic")?;
        wallet
            .save_hotkey(
                hotkey,
                &Pair::from_mnemonic(&mnemonic),
                Some(&mnemonic),
                Save::default(),
            )
            .with_context(|| format!("saving the hotkey of wallet {name}"))?;
        created = true;
    }
    let coldkey = wallet.coldkey(None).with_context(|| {
        format!("opening the coldkey of wallet {name} (localnet wallets are unencrypted)")
    })?;
    let hotkey = wallet
        .hotkey(hotkey, None)
        .with_context(|| format!("opening the hotkey of wallet {name}"))?;
    Ok((coldkey, hotkey, created))
}

/// The subnet whose owner hotkey is `owner_hotkey`, if any.
async fn find_subnet(client: &Client, owner_hotkey: &AccountId) -> anyhow::Result<Option<NetUid>> {
    let subnets = client
        .subnets()
        .await
        .map_err(rpc_error)
        .context("listing subnets")?;
    Ok(subnets
        .iter()
        .find(|s| s.owner_hotkey == *owner_hotkey)
        .map(|s| s.netuid))
}

/// Sends each coldkey from //Alice what its remaining steps cost, and raises the subnet lock
/// minimum before the subnet is created.
async fn fund(
    client: &Client,
    alice: &Pair,
    keys: &[Keys],
    existing: Option<NetUid>,
) -> anyhow::Result<()> {
    let mut calls = Vec::new();
    let lock = match existing {
        Some(_) => 0,
        None => {
            let params = client
                .params()
                .await
                .map_err(rpc_error)
                .context("reading chain parameters")?;
            if params.network_min_lock < SUBNET_LOCK {
                calls.push((
                    Call::Sudo {
                        call: SudoCall::SetNetworkMinLock { lock: SUBNET_LOCK },
                    },
                    "raising the subnet lock minimum".to_owned(),
                ));
            }
            let cost = client
                .lock_cost()
                .await
                .map_err(rpc_error)
                .context("reading the subnet lock cost")?;
            cost.max(SUBNET_LOCK)
        }
    };
    let registered = match existing {
        Some(netuid) => client
            .metagraph(netuid)
            .await
            .map_err(rpc_error)
            .context("reading the metagraph")?
            .map(|m| m.neurons.into_iter().map(|n| n.hotkey).collect())
            .unwrap_or_default(),
        None => Vec::new(),
    };
    // What each coldkey's remaining steps cost (a sybil's coldkey pays for its hotkeys too).
    let mut needs: BTreeMap<AccountId, (u64, &str)> = BTreeMap::new();
    for (i, k) in keys.iter().enumerate() {
        let mut need = 0;
        if i == 0 {
            need += lock;
        } else if !registered.contains(&k.hotkey.public()) {
            need += REGISTRATION_FUNDS;
        }
        need += match k.neuron.role {
            Role::Validator { stake_tao } if !staked(client, existing, k).await? => {
                stake_tao * RAO_PER_TAO
            }
            _ => 0,
        };
        if need > 0 {
            let entry = needs
                .entry(k.coldkey.public())
                .or_insert((FEE_FUNDS, &k.neuron.wallet));
            entry.0 += need;
        }
    }
    for (coldkey, (need, wallet)) in &needs {
        let free = client
            .account(coldkey)
            .await
            .map_err(rpc_error)
            .context("reading a balance")?
            .free;
        if free < *need {
            calls.push((
                Call::Transfer {
                    dest: *coldkey,
                    amount: Balance::from_rao(need - free),
                },
                format!("funding wallet {wallet}"),
            ));
        }
    }
    let transfers = calls
        .iter()
        .filter(|(c, _)| matches!(c, Call::Transfer { .. }))
        .count();
    submit_batch(client, alice, calls).await?;
    eprintln!(
        "yuma: [2/5] funds: {transfers} of {} wallets topped up from //Alice",
        keys.len()
    );
    Ok(())
}

/// Whether the validator's stake on its own hotkey is in place (worth at least half of what
/// the roster asks: the subnet owner's hotkey also collects the owner cut).
async fn staked(client: &Client, netuid: Option<NetUid>, k: &Keys) -> anyhow::Result<bool> {
    let (Some(netuid), Role::Validator { stake_tao }) = (netuid, k.neuron.role) else {
        return Ok(false);
    };
    let hotkey = k.hotkey.public();
    let stakes = client
        .stakes(&k.coldkey.public())
        .await
        .map_err(rpc_error)
        .context("listing stakes")?;
    Ok(stakes.iter().any(|s| {
        s.netuid == netuid && s.hotkey == hotkey && s.tao_value >= stake_tao * RAO_PER_TAO / 2
    }))
}

/// Registers every neuron that is not yet on the subnet and stakes the validators: the
/// coldkeys in parallel, each coldkey's neurons one after the other (their transactions
/// take consecutive nonces).
async fn enroll(client: &Client, netuid: NetUid, keys: &[Keys]) -> anyhow::Result<()> {
    let metagraph = client
        .metagraph(netuid)
        .await
        .map_err(rpc_error)
        .context("reading the metagraph")?
        .with_context(|| format!("subnet {} vanished", netuid.0))?;
    let mut by_coldkey: BTreeMap<AccountId, Vec<&Keys>> = BTreeMap::new();
    for k in keys {
        by_coldkey.entry(k.coldkey.public()).or_default().push(k);
    }
    let metagraph = &metagraph;
    let jobs = by_coldkey.into_values().map(|group| async move {
        let mut done = (0, 0);
        for k in group {
            let step = enroll_one(client, netuid, metagraph, k).await?;
            done = (done.0 + step.0, done.1 + step.1);
        }
        anyhow::Ok(done)
    });
    let done = futures::future::try_join_all(jobs).await?;
    let (registered, staked) = done
        .iter()
        .fold((0, 0), |(r, s), (dr, ds)| (r + dr, s + ds));
    eprintln!(
        "yuma: [5/5] neurons: {registered} registered, {staked} validators staked ({} on the subnet)",
        keys.len()
    );
    Ok(())
}

/// Registers one neuron and stakes a validator, where missing: (registrations, stakes) made.
async fn enroll_one(
    client: &Client,
    netuid: NetUid,
    metagraph: &Metagraph,
    k: &Keys,
) -> anyhow::Result<(u32, u32)> {
    let mut done = (0, 0);
    if !metagraph
        .neurons
        .iter()
        .any(|n| n.hotkey == k.hotkey.public())
    {
        let call = Call::BurnedRegister {
            netuid,
            hotkey: k.hotkey.public(),
        };
        let what = format!("registering {}", k.neuron.name);
        submit(client, &k.coldkey, call, &what).await?;
        done.0 += 1;
    }
    let stake = match k.neuron.role {
        Role::Validator { stake_tao } if !staked(client, Some(netuid), k).await? => Some(stake_tao),
        _ => None,
    };
    if let Some(stake_tao) = stake {
        let call = Call::AddStake {
            hotkey: k.hotkey.public(),
            netuid,
            amount: Balance::from_rao(stake_tao * RAO_PER_TAO),
            limit_price: None,
        };
        let what = format!("staking {stake_tao} TAO on {}", k.neuron.name);
        submit(client, &k.coldkey, call, &what).await?;
        done.1 += 1;
    }
    Ok(done)
}
