//! Power spectrum of a real frame: one complex FFT of half the length, then a vectorised split.
//!
//! realfft computes the same transform, but its split into the real spectrum is scalar code
//! (30 % of a log-mel frame); only `|X[k]|²` is needed here, and written over separate real and
//! imaginary arrays the split vectorises.

use std::sync::Arc;

use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};

/// Plans and buffers for the power spectrum of `n`-sample real frames (`n` even).
pub struct RealPower {
    fft: Arc<dyn Fft<f32>>,
    /// Even samples in the real parts, odd samples in the imaginary parts; transformed in place.
    packed: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    /// `e^{−2πik/n}` for `k` in `0..n/2`, as real and imaginary parts.
    twiddle_re: Vec<f32>,
    twiddle_im: Vec<f32>,
    /// `Z[k]` and `conj(Z[n/2 − k])` of the packed transform `Z`, for `k` in `0..n/2`.
    z_re: Vec<f32>,
    z_im: Vec<f32>,
    mirror_re: Vec<f32>,
    mirror_im: Vec<f32>,
}

impl RealPower {
    /// Everything for frames of `n` samples (`n ≥ 2`, even), allocated here.
    pub fn new(n: usize) -> Self {
        assert!(n >= 2 && n.is_multiple_of(2), "real frames of an even length ≥ 2, not {n}");
        let half = n / 2;
        let fft = FftPlanner::<f32>::new().plan_fft_forward(half);
        let angle = |k: usize| -2.0 * std::f64::consts::PI * k as f64 / n as f64;
        Self {
            packed: vec![Complex::default(); half],
            scratch: vec![Complex::default(); fft.get_inplace_scratch_len()],
            twiddle_re: (0..half).map(|k| angle(k).cos() as f32).collect(),
            twiddle_im: (0..half).map(|k| angle(k).sin() as f32).collect(),
            z_re: vec![0.0; half],
            z_im: vec![0.0; half],
            mirror_re: vec![0.0; half],
            mirror_im: vec![0.0; half],
            fft,
        }
    }

    /// Writes `|X[k]|²` for `k` in `0..=n/2` into `power` (`n/2 + 1` values), `X` the DFT of `frame`
    /// (`n` samples), each capped at the largest finite f32.
    #[inline(always)]
    pub fn process(&mut self, frame: &[f32], power: &mut [f32]) {
        let half = self.packed.len();
        debug_assert!(frame.len() == 2 * half && power.len() == half + 1);
        for (z, pair) in self.packed.iter_mut().zip(frame.chunks_exact(2)) {
            *z = Complex::new(pair[0], pair[1]);
        }
        self.fft.process_with_scratch(&mut self.packed, &mut self.scratch);
        self.unpack();
        self.split(power);
    }

    /// Copies `Z[k]` and `conj(Z[(n/2 − k) mod n/2])` into plain arrays (the mirror from the
    /// real and imaginary arrays, so that both loops vectorise).
    #[inline(always)]
    fn unpack(&mut self) {
        for ((re, im), z) in self.z_re.iter_mut().zip(self.z_im.iter_mut()).zip(&self.packed) {
            *re = z.re;
            *im = z.im;
        }
        self.mirror_re[0] = self.z_re[0];
        self.mirror_im[0] = -self.z_im[0];
        for (dst, &src) in self.mirror_re[1..].iter_mut().zip(self.z_re[1..].iter().rev()) {
            *dst = src;
        }
        for (dst, &src) in self.mirror_im[1..].iter_mut().zip(self.z_im[1..].iter().rev()) {
            *dst = -src;
        }
    }

    /// `X[k] = E[k] + W^k·O[k]` with `E = (Z[k] + conj Z[n/2−k]) / 2`, `O = (Z[k] − conj Z[n/2−k]) / 2i`
    /// (the DFTs of the even and odd samples); `X[n/2] = E[0] − O[0]`.
    #[inline(always)]
    fn split(&self, power: &mut [f32]) {
        let half = self.packed.len();
        let parts = self.z_re.iter().zip(&self.z_im).zip(self.mirror_re.iter().zip(&self.mirror_im));
        let twiddles = self.twiddle_re.iter().zip(&self.twiddle_im);
        for ((p, ((&zr, &zi), (&mr, &mi))), (&wr, &wi)) in power[..half].iter_mut().zip(parts).zip(twiddles) {
            let (even_re, even_im) = (0.5 * (zr + mr), 0.5 * (zi + mi));
            // (a + ib) / 2i = (b − ia) / 2
            let (odd_re, odd_im) = (0.5 * (zi - mi), -0.5 * (zr - mr));
            let re = even_re + wr * odd_re - wi * odd_im;
            let im = even_im + wr * odd_im + wi * odd_re;
            *p = (re * re + im * im).min(f32::MAX);
        }
        let nyquist = self.z_re[0] - self.z_im[0];
        power[half] = (nyquist * nyquist).min(f32::MAX);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The power spectrum by the definition, in f64.
    fn dft_power(frame: &[f32]) -> Vec<f64> {
        let n = frame.len();
        (0..=n / 2)
            .map(|k| {
                let (mut re, mut im) = (0.0f64, 0.0f64);
                for (t, &x) in frame.iter().enumerate() {
                    let angle = -2.0 * std::f64::consts::PI * (k * t) as f64 / n as f64;
                    re += x as f64 * angle.cos();
                    im += x as f64 * angle.sin();
                }
                re * re + im * im
            })
            .collect()
    }

    #[test]
    fn matches_the_dft_by_definition() {
        for n in [2, 8, 64, 1024] {
            let frame: Vec<f32> = (0..n).map(|i| ((i * 7919 % 113) as f32 / 56.0 - 1.0) + (i as f32 * 0.3).sin()).collect();
            let mut power = vec![0.0; n / 2 + 1];
            RealPower::new(n).process(&frame, &mut power);
            let expected = dft_power(&frame);
            let peak = expected.iter().cloned().fold(0.0, f64::max);
            for (k, (&found, &wanted)) in power.iter().zip(&expected).enumerate() {
                assert!((found as f64 - wanted).abs() <= 1e-5 * peak, "n {n}, bin {k}: {found} vs {wanted}");
            }
        }
    }

    #[test]
    fn huge_input_gives_the_largest_finite_power_not_inf() {
        let mut power = vec![0.0; 5];
        RealPower::new(8).process(&[1e30; 8], &mut power);
        assert_eq!(power[0], f32::MAX);
        assert!(power.iter().all(|p| p.is_finite()));
    }
}
