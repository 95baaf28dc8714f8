//! The signature scheme of consensus votes and certificates.

use commonware_consensus::simplex;

/// Simplex's signing scheme: ed25519 signatures, certificates as lists of them.
pub type Scheme = simplex::scheme::ed25519::Scheme;
