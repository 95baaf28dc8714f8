//! Free TAO: transfers and the transaction fee.

use crate::error::Error;
use crate::event::Event;
use crate::state::State;
use yuma_primitives::AccountId;

/// Moves `amount` rao of free TAO from `from` to `dest`.
pub(crate) fn transfer(
    st: &mut State<'_>,
    from: &AccountId,
    dest: &AccountId,
    amount: u64,
) -> Result<(), Error> {
    if amount == 0 {
        return Err(Error::AmountTooLow { amount, min: 1 });
    }
    st.debit(from, amount)?;
    st.credit(dest, amount)?;
    st.emit(Event::Transfer {
        from: *from,
        to: *dest,
        amount,
    });
    Ok(())
}

/// Burns the transaction fee from `payer`. Fees are burned, not paid to the block author, so
/// that a block producer gains nothing from stuffing blocks and every node agrees on supply
/// without knowing who produced a block.
pub(crate) fn charge_fee(st: &mut State<'_>, payer: &AccountId, fee: u64) -> Result<(), Error> {
    if fee == 0 {
        return Ok(());
    }
    st.debit(payer, fee)?;
    let mut totals = st.totals();
    totals.burned = totals
        .burned
        .checked_add(fee)
        .ok_or(Error::Overflow("burned"))?;
    st.set_totals(&totals);
    st.emit(Event::FeePaid { who: *payer, fee });
    Ok(())
}
