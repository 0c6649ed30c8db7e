//! Writes the committed fixtures (see tests/fixtures/README.md).
