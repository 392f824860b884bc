//! Builds the plugin (dev profile, `assert_process_allocs`) and bundles it with the real bundler.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The plugin's cargo package.
const PLUGIN_PACKAGE: &str = "instrumeter";
/// The bundle name `bundler.toml` gives the package.
const BUNDLE_NAME: &str = "Instrumeter";
/// The folder under the target dir the test bundles go to, away from the user's `target/bundled/`.
const HOST_TEST_DIR: &str = "host-test";

/// The CLAP bundle of a fresh dev build with `assert_process_allocs`; built once per test process.
pub fn built_clap_bundle() -> PathBuf {
    static BUNDLE: OnceLock<PathBuf> = OnceLock::new();
    BUNDLE.get_or_init(build_and_bundle).clone()
}

/// The workspace root: the parent of this crate's manifest dir.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the tests crate lives inside the workspace").to_path_buf()
}

/// Cargo's target dir (honours `CARGO_TARGET_DIR`).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace_root().join(dir),
        None => workspace_root().join("target"),
    }
}

fn build_and_bundle() -> PathBuf {
    let root = workspace_root();
    build_plugin_with_alloc_checks(&root);
    let bundle_target = host_test_target_dir();
    // The bundler reads `bundler.toml` from the current directory.
    std::env::set_current_dir(&root)
        .unwrap_or_else(|e| panic!("cannot chdir to the workspace root {}: {e}", root.display()));
    nice_plug_xtask::bundle(&bundle_target, PLUGIN_PACKAGE, &[], false)
        .unwrap_or_else(|e| panic!("bundling {PLUGIN_PACKAGE} into {} failed: {e:#}", bundle_target.display()));
    let clap = clap_bundle_path(&bundle_target);
    assert!(clap.exists(), "the bundler reported success but {} does not exist", clap.display());
    clap
}

/// `cargo build -p instrumeter --features assert_process_allocs` with the cargo that runs the tests.
fn build_plugin_with_alloc_checks(root: &Path) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(&cargo)
        .current_dir(root)
        .args(["build", "-p", PLUGIN_PACKAGE, "--features", "assert_process_allocs"])
        .status()
        .unwrap_or_else(|e| panic!("could not run {cargo:?} to build the plugin: {e}"));
    assert!(
        status.success(),
        "`cargo build -p {PLUGIN_PACKAGE} --features assert_process_allocs` failed ({status}); see its output above"
    );
}

/// `target/host-test/`, with `debug -> ../debug` so the bundler finds the dev build there.
fn host_test_target_dir() -> PathBuf {
    let dir = target_dir().join(HOST_TEST_DIR);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    link_dev_build_dir(&dir.join("debug"));
    dir
}

/// Makes `link` a symlink to `../debug`, replacing anything else that is there.
fn link_dev_build_dir(link: &Path) {
    let wanted = Path::new("../debug");
    if std::fs::read_link(link).is_ok_and(|target| target == wanted) {
        return;
    }
    if link.symlink_metadata().is_ok() {
        std::fs::remove_file(link)
            .or_else(|_| std::fs::remove_dir_all(link))
            .unwrap_or_else(|e| panic!("cannot replace {}: {e}", link.display()));
    }
    symlink_dir(wanted, link).unwrap_or_else(|e| panic!("cannot link {} -> {}: {e}", link.display(), wanted.display()));
}

#[cfg(unix)]
fn symlink_dir(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(windows)]
fn symlink_dir(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::windows::fs::symlink_dir(target, link)
}

/// Whether `needle` occurs anywhere in the file (e.g. a crate name in a binary's symbols).
pub fn file_contains(path: &Path, needle: &[u8]) -> bool {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    bytes.windows(needle.len()).any(|window| window == needle)
}

/// Where the bundler puts the CLAP plugin (a single library file on Linux and Windows).
fn clap_bundle_path(bundle_target: &Path) -> PathBuf {
    bundle_target.join("bundled").join(format!("{BUNDLE_NAME}.clap"))
}
