import numpy as np

from tsvae_core.batches import WindowBatches


def test_batches_cover_every_row_once_per_epoch_and_reshuffle():
    x = np.arange(50, dtype=np.float32).reshape(50, 1)
    labels = np.arange(50) * 10
    b = WindowBatches(x, {"x": x, "label": labels}, batch_size=16, shuffle=True, seed=1)
    assert len(b) == 4
    first = [b[i] for i in range(len(b))]
    rows = np.concatenate([xb[:, 0] for xb, _ in first])
    assert sorted(rows.tolist()) == list(range(50))
    for xb, yb in first:  # targets stay aligned with inputs
        np.testing.assert_array_equal(yb["label"], xb[:, 0].astype(int) * 10)
    b.on_epoch_end()
    again = np.concatenate([b[i][0][:, 0] for i in range(len(b))])
    assert not np.array_equal(rows, again)


def test_target_that_is_the_input_is_the_same_batch_and_validation_keeps_order():
    x = np.random.default_rng(0).random((10, 3, 2)).astype(np.float32)
    b = WindowBatches(x, x, batch_size=4, shuffle=False)
    xb, yb = b[1]
    assert yb is xb
    np.testing.assert_array_equal(xb, x[4:8])
    assert len(WindowBatches(x, None, 4, shuffle=False)[0]) == 1  # inputs only
