//! The release CLAP bundle for the tools that host it (`bench`, `screenshot`): built, then loaded
//! from wherever cargo put it.

use anyhow::{anyhow, Context, Result};
use instrumeter_tests::bundle::release_clap_bundle;
use instrumeter_tests::host::ClapLibrary;

/// Bundles the release plugin (`cargo xtask bundle instrumeter --release`).
pub fn build() -> Result<()> {
    let args = ["bundle", "instrumeter", "--release"].map(String::from);
    nice_plug_xtask::main_with_args("cargo xtask", args).context("cannot build the release bundle")
}

/// Loads the release CLAP library from cargo's target dir (`CARGO_TARGET_DIR` and
/// `build.target-dir` count); a missing bundle is an error naming the command that builds it.
pub fn open() -> Result<ClapLibrary> {
    ClapLibrary::open(&release_clap_bundle()).map_err(|e| anyhow!(e))
}
