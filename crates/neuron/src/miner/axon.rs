//! Publishing the miner's address on chain with `serve_axon`.

use std::net::SocketAddr;

use yuma_client::{Call, Client};
use yuma_keys::Pair;
use yuma_primitives::NetUid;

use crate::Error;
use crate::protocol::{axon_addr, axon_ip};

/// Protocol number of the axon, as bittensor's (4).
pub const AXON_PROTOCOL: u8 = 4;

/// What [`publish`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Published {
    /// The chain already had this address.
    Unchanged,
    /// `serve_axon` was included in this block.
    Served(u64),
}

/// Publishes `addr` as the axon of `pair`'s hotkey on `netuid`, unless the chain has it
/// already.
///
/// # Errors
/// [`Error::NotRegistered`] when the hotkey has no UID on the subnet, [`Error::BadAxonAddress`]
/// for an unspecified address, [`Error::TxFailed`] when the runtime refuses (for example the
/// serving rate limit), [`Error::Client`] when the node fails.
pub async fn publish(
    client: &Client,
    pair: &Pair,
    netuid: NetUid,
    addr: SocketAddr,
) -> Result<Published, Error> {
    if addr.ip().is_unspecified() {
        return Err(Error::BadAxonAddress(addr.ip()));
    }
    let hotkey = pair.public();
    let metagraph = client
        .metagraph(netuid)
        .await?
        .ok_or(Error::NoSubnet(netuid))?;
    let neuron = metagraph
        .neurons
        .iter()
        .find(|n| n.hotkey == hotkey)
        .ok_or(Error::NotRegistered { hotkey, netuid })?;
    if axon_addr(neuron) == Some(addr) {
        return Ok(Published::Unchanged);
    }
    let (ip, ip_type) = axon_ip(addr.ip());
    let call = Call::ServeAxon {
        netuid,
        version: 0,
        ip,
        port: addr.port(),
        ip_type,
        protocol: AXON_PROTOCOL,
    };
    let result = client.sign_and_submit(pair, call, true).await?;
    match result.included {
        Some(inclusion) if inclusion.receipt.success => Ok(Published::Served(inclusion.block)),
        Some(inclusion) => Err(Error::TxFailed {
            what: "serve_axon",
            reason: inclusion.receipt.error.unwrap_or_default(),
        }),
        None => Err(Error::TxFailed {
            what: "serve_axon",
            reason: "not included".into(),
        }),
    }
}
