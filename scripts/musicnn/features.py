"""musicnn's input feature recipe, reproduced from musicnn/extractor.py::batch_data.

    audio  -> librosa.load(sr=16000)          (mono, resampled; librosa 0.11 default res_type soxr_hq)
    mel    -> librosa.feature.melspectrogram(y, sr=16000, n_fft=512, hop_length=256, n_mels=96)
              i.e. Hann window, center=True (pad_mode 'constant' in librosa >= 0.10), power 2,
              Slaney mel scale (htk=False), Slaney area norm, fmin 0, fmax 8000
    cast   -> float16 (yes: musicnn rounds the power mel to half precision)
    log    -> log10(10000 * mel + 1)
    patch  -> 187 frames x 96 mels (3 s), hop 187 frames by default (no overlap)

`patches_from_wav` additionally repeat-pads a clip shorter than one patch (musicnn's
training config says pad_short = "repeat-pad"); the extractor itself would return nothing.
"""
import numpy as np
import librosa

SR = 16000
N_FFT = 512
HOP = 256
N_MELS = 96
N_FRAMES = 187  # librosa.time_to_frames(3, sr=16000, n_fft=512, hop_length=256) + 1
PATCH_HOP = N_FRAMES  # extractor default (input_overlap=False)


def log_mel(audio, sr):
    """[frames, 96] float32 log-mel of a mono float signal at any sample rate."""
    if sr != SR:
        audio = librosa.resample(audio, orig_sr=sr, target_sr=SR)
    mel = librosa.feature.melspectrogram(y=audio, sr=SR, hop_length=HOP, n_fft=N_FFT, n_mels=N_MELS).T
    mel = mel.astype(np.float16)
    return np.log10(10000 * mel + 1).astype(np.float32)


def patches(rep, n_frames=N_FRAMES, hop=PATCH_HOP):
    """Split [frames, 96] into [n, n_frames, 96]; repeat-pad when shorter than one patch."""
    if rep.shape[0] < n_frames:
        reps = int(np.ceil(n_frames / rep.shape[0]))
        rep = np.tile(rep, (reps, 1))[:n_frames]
    starts = range(0, rep.shape[0] - n_frames + 1, hop)
    return np.stack([rep[s:s + n_frames] for s in starts]).astype(np.float32)


def patches_from_wav(path):
    """Log-mel patches of one audio file, exactly as musicnn's extractor loads it."""
    audio, sr = librosa.load(path, sr=SR)
    return patches(log_mel(audio, SR))
