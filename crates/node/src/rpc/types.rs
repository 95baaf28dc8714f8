//! The RPC's answers built from the node's blocks (the shapes are `yuma_api`'s).

use yuma_api::{BlockInfo, BlockReceipts, HeaderInfo, TxInfo, hex0x};

use crate::block::{Block, Header};

/// The header's JSON shape.
pub fn header_info(h: &Header) -> HeaderInfo {
    HeaderInfo {
        number: h.height,
        hash: hex0x(&h.hash()),
        parent_hash: hex0x(&h.parent),
        state_root: hex0x(&h.state_root),
        txs_root: hex0x(&h.txs_root),
        timestamp: h.timestamp,
    }
}

/// A block and its receipts in one JSON shape.
pub fn block_info(block: &Block, receipts: BlockReceipts) -> BlockInfo {
    BlockInfo {
        header: header_info(&block.header),
        txs: block.txs.iter().map(TxInfo::from).collect(),
        block_events: receipts.block_events,
        receipts: receipts.txs,
    }
}
