import numpy as np
import pytest

from tsvae_core.config import DataConfig, make_configs
from tsvae_core.data import generate, time_channel, window_modes


@pytest.fixture(scope="module")
def paper():
    return generate(make_configs("paper")[0])


def test_paper_shapes_count_and_noise_share(paper):
    assert paper.x_train.shape[1:] == (128, 8) and paper.x_val.shape[1:] == (128, 8)
    assert len(paper.x_train) + len(paper.x_val) == 48_273
    assert len(paper.x_val) == 48_273 - int(48_273 * 0.8)
    noise_share = (paper.y_val == -1).mean()
    assert 0.19 < noise_share < 0.23
    assert paper.x_train.dtype == np.float32


def test_train_and_val_share_one_buffer(paper):
    # one materialised copy of the windows: both splits are views of the same array
    assert paper.x_train.base is not None and paper.x_train.base is paper.x_val.base


def test_values_in_unit_range_and_time_channel_last(paper):
    for x in (paper.x_train, paper.x_val):
        assert x.min() >= 0.0 and x.max() <= 1.0
    assert paper.x_train.min() == 0.0 or paper.x_val.min() == 0.0
    assert paper.channel_names[-1] == "time" and len(paper.channel_names) == 8
    expected = time_channel(len(paper.series), 128, [1.0])
    np.testing.assert_allclose(paper.series[:, -1], expected, atol=1e-6)


def _brute_modes(row_labels, seq_len):
    out = []
    for i in range(len(row_labels) - seq_len + 1):
        vals, counts = np.unique(row_labels[i:i + seq_len], return_counts=True)
        out.append(vals[np.argmax(counts)])  # np.unique sorts: ties go to the smallest
    return np.array(out)


def test_label_modes_match_brute_force_including_ties_and_noise():
    cfg = DataConfig(n_patterns=3, repeats=2, seq_len=8, n_features=2, noise_size=13, seed=3)
    rng = np.random.default_rng(0)
    from tsvae_core.data import build_series
    _, rows = build_series(cfg, rng)
    np.testing.assert_array_equal(window_modes(rows, 8), _brute_modes(rows, 8))
    random_rows = rng.integers(-1, 4, size=200).astype(np.int32)
    np.testing.assert_array_equal(window_modes(random_rows, 7), _brute_modes(random_rows, 7))


def test_noise_windows_are_labelled_minus_one():
    ds = generate(DataConfig(n_patterns=2, repeats=3, seq_len=8, n_features=1, noise_size=40, seed=1))
    labels = np.concatenate([ds.y_train, ds.y_val])
    assert set(np.unique(labels)) == {-1, 0, 1}
    assert (ds.row_labels[-40:] == -1).all()


def test_deterministic_for_a_seed_and_different_across_seeds():
    kw = dict(n_patterns=4, repeats=3, seq_len=16, n_features=2, noise_size=30)
    a, b = generate(DataConfig(seed=5, **kw)), generate(DataConfig(seed=5, **kw))
    c = generate(DataConfig(seed=6, **kw))
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_val, b.y_val)
    assert not np.array_equal(a.x_train, c.x_train)


def test_window_starts_locate_each_window_in_the_series():
    ds = generate(DataConfig(n_patterns=3, repeats=4, seq_len=16, n_features=2, noise_size=30, seed=2))
    modes = window_modes(ds.row_labels, 16)
    np.testing.assert_array_equal(modes[ds.start_train], ds.y_train)
    np.testing.assert_array_equal(modes[ds.start_val], ds.y_val)
    # the time channel is untouched by the window noise, so it still matches up to scaling
    t_series = ds.series[ds.start_val[0]:ds.start_val[0] + 16, -1]
    t_window = ds.x_val[0, :, -1]
    assert np.corrcoef(t_series, t_window)[0, 1] > 0.999
