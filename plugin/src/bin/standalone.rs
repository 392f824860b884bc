//! Instrumeter without a DAW, for live monitoring: nice-plug's standalone wrapper (JACK, else ALSA
//! through cpal). `--help` lists the backend, device, sample-rate and period options.

fn main() {
    nice_plug::nice_export_standalone::<instrumeter::Instrumeter>();
}
