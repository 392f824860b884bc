#!/usr/bin/env bash
# Installs the Debian packages Instrumeter needs to build, test and open its editor.
# Idempotent; uses sudo when not run as root.
set -euo pipefail
packages=(
  # build: C toolchain and pkg-config for crates with native parts
  build-essential pkg-config
  # run-time libraries the editor's window dlopens (X11, xcb, GL)
  libx11-6 libx11-xcb1 libxcb1 libgl1 libxkbcommon-x11-0 libxcursor1
  # the editor-window test and `cargo xtask screenshot`: a virtual X server with software GL
  xvfb libgl1-mesa-dri
  # SoundFonts for `cargo xtask synth` (CI renders a few clips): FluidR3 trains, TimGM6mb is held out
  fluid-soundfont-gm timgm6mb-soundfont
  # the FreePats GUS patch set, a third source of training timbres (`synth --patches`)
  freepats
  # the server's browser test (server/tests/browser.rs): headless Chromium driven over WebDriver
  chromium chromium-driver
  # the standalone application (`--features standalone`): ALSA and JACK headers
  libasound2-dev libjack-jackd2-dev
)
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${packages[@]}"
