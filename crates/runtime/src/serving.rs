//! `serve_axon`: a neuron publishes the address where it serves.

use crate::error::Error;
use crate::event::Event;
use crate::state::State;
use crate::state::records::Axon;
use yuma_primitives::{AccountId, NetUid};

/// What `serve_axon` publishes.
pub(crate) struct AxonInfo {
    pub(crate) version: u32,
    pub(crate) ip: u128,
    pub(crate) port: u16,
    pub(crate) ip_type: u8,
    pub(crate) protocol: u8,
}

/// Stores the axon of `hotkey` on `netuid`. Checks as subtensor's `serve_axon`: registered,
/// valid IP type and address, non-zero port, serving rate limit. Unlike subtensor, loopback
/// addresses are allowed, so a whole network can run on one machine.
pub(crate) fn serve_axon(
    st: &mut State<'_>,
    hotkey: &AccountId,
    netuid: NetUid,
    info: AxonInfo,
) -> Result<(), Error> {
    st.try_subnet(netuid)?;
    let uid = st.uid_of(netuid, hotkey).ok_or(Error::NotRegistered {
        hotkey: *hotkey,
        netuid,
    })?;
    match info.ip_type {
        4 if info.ip == 0 || info.ip > u128::from(u32::MAX) => {
            return Err(Error::InvalidAxon("not an IPv4 address"));
        }
        6 if info.ip == 0 || info.ip == u128::MAX => {
            return Err(Error::InvalidAxon("not an IPv6 address"));
        }
        4 | 6 => {}
        _ => return Err(Error::InvalidAxon("ip type must be 4 or 6")),
    }
    if info.port == 0 {
        return Err(Error::InvalidAxon("port 0"));
    }
    let hp = st.hyperparams(netuid);
    let now = st.block();
    let Some(mut neuron) = st.neuron(netuid, uid) else {
        return Err(Error::NotRegistered {
            hotkey: *hotkey,
            netuid,
        });
    };
    if let Some(prev) = &neuron.axon {
        let next = prev.block.saturating_add(hp.serving_rate_limit);
        if now < next {
            return Err(Error::RateLimited {
                what: "serve_axon",
                next,
            });
        }
    }
    neuron.axon = Some(Axon {
        block: now,
        version: info.version,
        ip: info.ip,
        port: info.port,
        ip_type: info.ip_type,
        protocol: info.protocol,
    });
    st.set_neuron(netuid, uid, &neuron);
    st.emit(Event::AxonServed {
        netuid,
        hotkey: *hotkey,
    });
    Ok(())
}
