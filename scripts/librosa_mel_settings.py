"""The librosa melspectrogram settings equal to Instrumeter's front-end (one place for all scripts)."""

TARGET_SR = 22050
MEL_PARAMS = dict(
    sr=TARGET_SR,
    n_fft=1024,
    hop_length=512,
    win_length=1024,
    window="hann",
    center=False,
    power=2.0,
    n_mels=128,
    fmin=0.0,
    fmax=11025.0,
    htk=False,
    norm="slaney",
)
