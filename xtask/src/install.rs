//! `cargo xtask install`: copies the release bundles (CLAP, VST3) into the per-user plugin folders
//! hosts scan (`--system`: the system-wide ones), replacing an earlier install, and says where.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use instrumeter_tests::bundle::release_clap_bundle;

/// The two bundles and the folder each goes to.
struct Placement {
    bundle: PathBuf,
    folder: PathBuf,
}

/// Copies both release bundles; `destination_root` replaces the home folder (or `/` with
/// `system`), for packaging or trying it out.
pub fn run(system: bool, destination_root: Option<&Path>) -> Result<()> {
    let clap = release_clap_bundle();
    let vst3 = clap.with_extension("vst3");
    let (clap_folder, vst3_folder) = plugin_folders(system, destination_root)?;
    for placement in [Placement { bundle: clap, folder: clap_folder }, Placement { bundle: vst3, folder: vst3_folder }] {
        let installed = install_bundle(&placement.bundle, &placement.folder)?;
        println!("installed {}", installed.display());
    }
    println!("rescan plugins in your host (Bitwig, Reaper, Ardour, …) to see Instrumeter");
    Ok(())
}

/// Where CLAP and VST3 plugins live on this system (the CLAP and VST3 specifications' folders).
fn plugin_folders(system: bool, destination_root: Option<&Path>) -> Result<(PathBuf, PathBuf)> {
    let root = match (destination_root, system) {
        (Some(root), _) => root.to_path_buf(),
        (None, true) => PathBuf::from("/"),
        (None, false) => std::env::var_os("HOME").map(PathBuf::from).context("HOME is not set: give --to FOLDER")?,
    };
    let (clap, vst3) = match (cfg!(target_os = "macos"), system) {
        (true, _) => ("Library/Audio/Plug-Ins/CLAP", "Library/Audio/Plug-Ins/VST3"),
        (false, true) => ("usr/lib/clap", "usr/lib/vst3"),
        (false, false) => (".clap", ".vst3"),
    };
    Ok((root.join(clap), root.join(vst3)))
}

/// Copies `bundle` (a file or a bundle folder) into `folder`, replacing what was there under its
/// name; returns the installed path.
fn install_bundle(bundle: &Path, folder: &Path) -> Result<PathBuf> {
    if !bundle.exists() {
        bail!("{} does not exist: build it first with `cargo xtask bundle instrumeter --release`", bundle.display());
    }
    let name = bundle.file_name().context("a bundle path ends in its name")?;
    let installed = folder.join(name);
    std::fs::create_dir_all(folder).with_context(|| format!("cannot create {} (use --system with sudo for system folders)", folder.display()))?;
    if installed.is_dir() {
        std::fs::remove_dir_all(&installed).with_context(|| format!("cannot remove the earlier install {}", installed.display()))?;
    } else if installed.exists() {
        std::fs::remove_file(&installed).with_context(|| format!("cannot remove the earlier install {}", installed.display()))?;
    }
    copy_tree(bundle, &installed)?;
    Ok(installed)
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    if from.is_file() {
        std::fs::copy(from, to).with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
        return Ok(());
    }
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for entry in std::fs::read_dir(from).with_context(|| format!("cannot list {}", from.display()))? {
        let entry = entry?;
        copy_tree(&entry.path(), &to.join(entry.file_name()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_folder_replaces_the_earlier_install() {
        let work = tempfile::tempdir().unwrap();
        let bundle = work.path().join("built/Instrumeter.vst3");
        std::fs::create_dir_all(bundle.join("Contents/x86_64-linux")).unwrap();
        std::fs::write(bundle.join("Contents/x86_64-linux/Instrumeter.so"), b"new").unwrap();
        let folder = work.path().join("home/.vst3");
        std::fs::create_dir_all(folder.join("Instrumeter.vst3/Contents/stale")).unwrap();
        let installed = install_bundle(&bundle, &folder).unwrap();
        assert_eq!(std::fs::read(installed.join("Contents/x86_64-linux/Instrumeter.so")).unwrap(), b"new");
        assert!(!installed.join("Contents/stale").exists(), "the earlier install's files are gone");
    }

    #[test]
    fn a_missing_bundle_names_the_build_command() {
        let work = tempfile::tempdir().unwrap();
        let error = install_bundle(&work.path().join("Instrumeter.clap"), &work.path().join(".clap")).unwrap_err().to_string();
        assert!(error.contains("cargo xtask bundle instrumeter --release"), "{error}");
        assert!(!work.path().join(".clap").exists(), "nothing is created when there is nothing to install");
    }

    #[test]
    fn user_and_system_folders() {
        let (clap, vst3) = plugin_folders(false, Some(Path::new("/home/me"))).unwrap();
        if !cfg!(target_os = "macos") {
            assert_eq!((clap, vst3), (PathBuf::from("/home/me/.clap"), PathBuf::from("/home/me/.vst3")));
            assert_eq!(plugin_folders(true, None).unwrap().0, PathBuf::from("/usr/lib/clap"));
        }
    }
}
