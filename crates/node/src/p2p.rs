//! A validator's p2p network: commonware's authenticated, encrypted TCP (`lookup` flavour: every
//! validator's address is known from the node's configuration) to the other validators.
//!
//! Peers authenticate with their consensus keys; a connection from a key that is not a
//! validator's is refused.

use std::sync::Arc;
use std::time::Duration;

use commonware_cryptography::ChaCha20Poly1305;
use commonware_p2p::authenticated::lookup;
use commonware_p2p::{Address, AddressableManager};
use commonware_runtime::tokio::Context;
use commonware_runtime::{Handle, Quota, Supervisor};
use commonware_stream::cups::{self, Cups};
use commonware_stream::sake::{self, Sake};
use commonware_utils::ordered::Map;
use commonware_utils::{NZU32, NZUsize};
use yuma_runtime::hash::Hash;
use yuma_store::Store;

use crate::Error;
use crate::application::Mailbox;
use crate::config::Peers;
use crate::consensus::{self, CHANNELS, MAX_MESSAGE, NAMESPACE, Settings};

/// Messages a peer may send on one channel at once before the rate (100,000 a second) applies.
const CHANNEL_BURST: u32 = 512;

/// Starts the network and the validator on it.
///
/// # Errors
/// [`Error::DuplicateValidator`] when the peer list is inconsistent (a key twice, or this node's own key).
pub fn start(
    context: Context,
    settings: &Settings,
    peers: &Peers,
    app: Mailbox,
    store: Arc<Store>,
    genesis: Hash,
) -> Result<Vec<Handle<()>>, Error> {
    use commonware_cryptography::Signer;
    let me = settings.key.public_key();
    let mut addresses: Vec<(_, Address)> = vec![(me, peers.listen.into())];
    addresses.extend(peers.peers.iter().map(|(k, a)| (k.clone(), (*a).into())));
    let count = addresses.len();
    let addresses: Map<_, Address> = addresses
        .try_into()
        .map_err(|_| Error::DuplicateValidator)?;
    let handshake = Cups::<_, ChaCha20Poly1305>::new(
        Sake {
            signer: settings.key.clone(),
            synchrony_bound: Duration::from_secs(5),
            max_handshake_age: Duration::from_secs(10),
            version: sake::Version::V1,
        },
        cups::Version::V1,
    );
    let mut config = lookup::Config::local(
        handshake,
        NAMESPACE,
        peers.listen,
        NZUsize!(count.max(1)),
        MAX_MESSAGE,
        NZUsize!(4096),
    );
    config.peer_connection_cooldown = Duration::from_millis(250);
    config.dial_frequency = Duration::from_millis(250);
    config.ping_frequency = Duration::from_secs(1);
    config.allowed_handshake_rate_per_ip = Quota::per_second(NZU32!(128));
    config.allowed_handshake_rate_per_subnet = Quota::per_second(NZU32!(256));
    config.block_duration = Duration::from_secs(60);
    let (mut network, mut oracle) = lookup::Network::new(context.child("network"), config);
    let _ = oracle.track(0, addresses);
    // Each channel's mailbox holds peers x burst messages, allocated and touched up front
    // (about 1 KiB a slot), and the router's holds all of them again: the burst, not the rate,
    // sets the node's memory at rest (a burst of 100,000 kept 1 GiB resident on a dev node).
    let quota = Quota::per_second(NZU32!(100_000)).allow_burst(NZU32!(CHANNEL_BURST));
    let channels = CHANNELS.map(|channel| network.register(channel, quota));
    let mut handles = vec![network.start()];
    handles.extend(consensus::start(
        context.child("validator"),
        settings.clone(),
        app,
        store,
        genesis,
        oracle,
        channels,
    ));
    Ok(handles)
}
