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

/// Cargo's target dir as `cargo metadata` gives it (so `CARGO_TARGET_DIR` and `build.target-dir`
/// count, as they do for the bundler); `CARGO_TARGET_DIR` or `target/` if cargo cannot be asked.
pub fn target_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| match (cargo_target_dir(&mut metadata_command()), std::env::var_os("CARGO_TARGET_DIR")) {
        (Some(dir), _) => dir,
        (None, Some(dir)) => workspace_root().join(dir),
        (None, None) => workspace_root().join("target"),
    })
    .clone()
}

/// `cargo metadata` for this workspace, without dependencies (fast, no network).
fn metadata_command() -> cargo_metadata::MetadataCommand {
    let mut command = cargo_metadata::MetadataCommand::new();
    command.manifest_path(workspace_root().join("Cargo.toml")).no_deps();
    command
}

fn cargo_target_dir(command: &mut cargo_metadata::MetadataCommand) -> Option<PathBuf> {
    command.exec().ok().map(|metadata| metadata.target_directory.into_std_path_buf())
}

/// Where `cargo xtask bundle instrumeter --release` puts the CLAP plugin.
pub fn release_clap_bundle() -> PathBuf {
    clap_bundle_path(&target_dir())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_dir_is_where_cargo_builds() {
        let elsewhere = tempfile::tempdir().unwrap();
        let mut command = metadata_command();
        command.env("CARGO_TARGET_DIR", elsewhere.path());
        assert_eq!(cargo_target_dir(&mut command).as_deref(), Some(elsewhere.path()));
        assert!(release_clap_bundle().starts_with(target_dir()) && release_clap_bundle().ends_with("bundled/Instrumeter.clap"));
    }

    #[test]
    fn a_missing_bundle_is_an_error_that_names_the_command_that_builds_it() {
        let missing = tempfile::tempdir().unwrap().path().join("bundled/Instrumeter.clap");
        let error = crate::host::ClapLibrary::open(&missing).err().expect("a missing library is an error, not a panic");
        assert!(error.contains("cargo xtask bundle instrumeter --release"), "{error}");
    }
}
