import numpy as np
import pytest

from tsvae_core.config import DataConfig
from tsvae_core.data import Scaling, generate
from tsvae_core.probes import ProbeConfig, make_probes, nyquist_hz

# seq_len 256: Nyquist 127.5 Hz, so both default bands are sampled without aliasing.
DATA = DataConfig(n_patterns=3, repeats=2, seq_len=256, n_features=3, noise_size=0, seed=5)


@pytest.fixture(scope="module")
def dataset():
    return generate(DATA)


def band_share(channel: np.ndarray, low: float, high: float, seq_len: int):
    """(share of the spectral energy within low..high Hz, frequency of the peak)."""
    x = (channel - channel.mean()) * np.hanning(seq_len)
    power = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(seq_len, d=1.0 / seq_len)   # seq_len samples over 1 s, end excluded
    df = freqs[1]
    inside = (freqs >= low - 2 * df) & (freqs <= high + 2 * df)
    return power[inside].sum() / power.sum(), freqs[power.argmax()]


def test_probes_have_the_dataset_layout_and_units(dataset):
    probes = make_probes(DATA, ProbeConfig(), dataset)
    assert set(probes) == {"new", "outlier", "rolled"}
    for w in probes.values():
        assert w.shape == (256, 4) and w.dtype == np.float32
    # the time channel of a window starting at row 0 equals the series' first rows, scaled
    s = dataset.scaling
    expected = (dataset.series[:256, -1] - s.window_min) / (s.window_max - s.window_min)
    np.testing.assert_allclose(probes["new"][:, -1], expected, atol=1e-6)
    # a window of the dataset is a (noised) slice of the series in the same two scalings
    i = 0
    start = dataset.start_train[i]
    series_window = (dataset.series[start:start + 256] - s.window_min) / (s.window_max - s.window_min)
    np.testing.assert_allclose(dataset.x_train[i][:, -1], series_window[:, -1], atol=1e-6)


@pytest.mark.parametrize("low,high", [(2.0, 15.0), (40.0, 60.0), (20.0, 25.0)])
def test_every_signal_channel_lies_in_its_band(dataset, low, high):
    cfg = ProbeConfig(new_low_hz=low, new_high_hz=high, outlier_low_hz=low, outlier_high_hz=high)
    probes = make_probes(DATA, cfg, dataset)
    for name in ("new", "outlier"):
        for c in range(DATA.n_features):
            share, peak = band_share(probes[name][:, c], low, high, DATA.seq_len)
            assert share > 0.95, (name, c, share)
            assert low - 1 <= peak <= high + 1, (name, c, peak)


def test_default_bands_are_apart(dataset):
    probes = make_probes(DATA, ProbeConfig(), dataset)
    for c in range(DATA.n_features):
        assert band_share(probes["new"][:, c], 2, 15, 256)[0] > 0.95
        assert band_share(probes["outlier"][:, c], 40, 60, 256)[0] > 0.95
        assert band_share(probes["new"][:, c], 40, 60, 256)[0] < 0.05


def test_roll_moves_the_time_channel_only(dataset):
    probes = make_probes(DATA, ProbeConfig(roll_fraction=0.4), dataset)
    new, rolled = probes["new"], probes["rolled"]
    np.testing.assert_array_equal(rolled[:, :-1], new[:, :-1])
    k = round(0.4 * 256)
    np.testing.assert_array_equal(rolled[:, -1], np.roll(new[:, -1], k))
    assert not np.array_equal(rolled[:, -1], new[:, -1])
    none = make_probes(DATA, ProbeConfig(roll_fraction=0.0), dataset)
    np.testing.assert_array_equal(none["rolled"], none["new"])


def test_same_seed_same_probes_other_seed_other_probes(dataset):
    a = make_probes(DATA, ProbeConfig(seed=3), dataset)
    b = make_probes(DATA, ProbeConfig(seed=3), dataset)
    c = make_probes(DATA, ProbeConfig(seed=4), dataset)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])
    assert not np.array_equal(a["new"], c["new"])
    # a Scaling works as well as the dataset it came from
    d = make_probes(DATA, ProbeConfig(seed=3), dataset.scaling)
    np.testing.assert_array_equal(a["outlier"], d["outlier"])


@pytest.mark.parametrize("field,low,high", [("new", 15.0, 2.0), ("outlier", 50.0, 50.0)])
def test_bad_band_names_field_and_range(dataset, field, low, high):
    cfg = ProbeConfig(**{f"{field}_low_hz": low, f"{field}_high_hz": high})
    with pytest.raises(ValueError, match=rf"ProbeConfig\.{field}_low_hz=.*allowed"):
        make_probes(DATA, cfg, dataset)


def test_out_of_bounds_values_are_refused():
    with pytest.raises(ValueError, match="roll_fraction"):
        ProbeConfig(roll_fraction=1.5)
    with pytest.raises(ValueError, match="outlier_high_hz"):
        ProbeConfig(outlier_high_hz=10_000.0)


def test_missing_scaling_is_a_clear_error(dataset):
    with pytest.raises(ValueError, match="Scaling"):
        make_probes(DATA, ProbeConfig(), None)


def test_aliasing_band_is_logged(caplog):
    small = DataConfig(n_patterns=2, repeats=2, seq_len=32, n_features=2, noise_size=0)
    assert nyquist_hz(32) == 16.0
    with caplog.at_level("WARNING", logger="tsvae_core.probes"):
        probes = make_probes(small, ProbeConfig(), Scaling(-3.0, 3.0, 0.0, 1.0))
    assert probes["outlier"].shape == (32, 3)
    assert "Nyquist" in caplog.text and "outlier" in caplog.text
