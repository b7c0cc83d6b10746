"""Data-quality contracts: the 勾稽 identities and single-report invariants (pure functions)."""
