"""Tests of sks4._forecast_net and the target construction of sks4.forecasting, against naive loops."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sks4._forecast_net import PinballLoss, S4ForecastNetwork, WindowDataset
from sks4.forecasting import S4Forecaster, _anchored_changes, _rms_scales


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_pinball_loss_matches_naive_loop():
    rng = np.random.default_rng(0)
    q = [0.1, 0.5, 0.9]
    y_true = rng.normal(size=(4, 5))
    y_true[1, 2] = np.nan
    y_pred = rng.normal(size=(4, 5, 3))
    total, count = 0.0, 0
    for i in range(4):
        for j in range(5):
            if np.isnan(y_true[i, j]):
                continue
            per_level = [max(a * (y_true[i, j] - y_pred[i, j, k]), (a - 1) * (y_true[i, j] - y_pred[i, j, k])) for k, a in enumerate(q)]
            total += np.mean(per_level)
            count += 1
    loss = PinballLoss(q)(torch.tensor(y_pred), torch.tensor(y_true))
    assert float(loss) == pytest.approx(total / count, rel=1e-12)


def test_anchored_changes_match_naive_loop():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(20, 2)).cumsum(0)
    H, m = 7, 4
    offsets = np.array([h - m * int(np.ceil(h / m)) for h in range(1, H + 1)])
    out = _anchored_changes(z, offsets)
    for t in range(20):
        for h in range(1, H + 1):
            ref = t + offsets[h - 1]
            expected = z[t + h] - z[ref] if (t + h < 20 and ref >= 0) else np.nan
            np.testing.assert_equal(out[t, :, h - 1], expected)
    last_value = _anchored_changes(z, np.zeros(H, np.int64))
    np.testing.assert_allclose(last_value[3, :, 2], z[6] - z[3])
    assert np.isnan(last_value[17, :, 2]).all()


def test_anchored_changes_with_a_trend_window_match_naive_loop():
    """Seasonal anchor plus the local slope over ``w`` steps, carried from the reference to the target."""
    rng = np.random.default_rng(3)
    T, H, m, w = 30, 7, 4, 5
    z = rng.normal(size=(T, 2)).cumsum(0)
    offsets = np.array([h - m * int(np.ceil(h / m)) for h in range(1, H + 1)])
    out = _anchored_changes(z, offsets, w)
    for t in range(T):
        for h in range(1, H + 1):
            ref = t + offsets[h - 1]
            if t + h < T and ref >= 0 and t - w >= 0:
                slope = (z[t] - z[t - w]) / w
                expected = z[t + h] - (z[ref] + (t + h - ref) * slope)
                np.testing.assert_allclose(out[t, :, h - 1], expected, rtol=1e-12, atol=1e-12)
            else:
                assert np.isnan(out[t, :, h - 1]).all(), (t, h)


def test_rms_scales_naive_and_floor():
    rng = np.random.default_rng(2)
    changes = rng.normal(size=(30, 1, 3))
    changes[25:, :, 2] = np.nan
    scales = _rms_scales(changes, np.array([1e-6]))
    for h in range(3):
        col = changes[:, 0, h]
        col = col[np.isfinite(col)]
        assert scales[h, 0] == pytest.approx(np.sqrt((col**2).mean()))
    constant = np.zeros((30, 1, 2))
    np.testing.assert_array_equal(_rms_scales(constant, np.array([0.5])), 0.5)


def test_window_dataset_slices_and_pads():
    C, T, n_t, H = 2, 10, 1, 3
    inputs = np.arange(C * T, dtype=np.float32).reshape(C, T)
    targets = np.arange(T * n_t * H, dtype=np.float32).reshape(T, n_t, H)
    data = WindowDataset(inputs, targets, None, starts=[0, 7], window=5)
    X, y = data[1]  # positions 7, 8, 9 and two padding steps
    assert int(X["lengths"]) == 3
    np.testing.assert_array_equal(X["x"][:, :3].numpy(), inputs[:, 7:10])
    assert (X["x"][:, 3:] == 0).all()
    np.testing.assert_array_equal(y[:3].numpy(), targets[7:10])
    assert torch.isnan(y[3:]).all()


def test_network_is_causal_and_head_uses_exogenous_at_target_time():
    torch.manual_seed(0)
    net = S4ForecastNetwork(d_input=2, n_targets=1, max_horizon=3, n_quantiles=2, n_exog=1,
                            d_model=8, d_state=4, n_layers=1).eval()
    x = torch.randn(1, 2, 12)
    future = torch.randn(1, 12, 3, 1)
    lengths = torch.tensor([12])
    with torch.no_grad():
        out = net(x, lengths, future)  # (1, 12, 1, 3, 2)
        x2 = x.clone()
        x2[:, :, 8:] += 5.0  # change the inputs after t = 7
        out2 = net(x2, lengths, future)
        future2 = future.clone()
        future2[0, 5, 1] += 1.0  # exogenous value seen by horizon 2 from t = 5
        out3 = net(x, lengths, future2)
    assert out.shape == (1, 12, 1, 3, 2)
    torch.testing.assert_close(out[:, :8], out2[:, :8])
    assert not torch.allclose(out[:, 8:], out2[:, 8:])
    changed = (out3 != out).any(-1).squeeze()  # (12, 3)
    assert changed[5, 1] and changed.sum() == 1


def test_context_length_and_dplr_kernel_fit():
    from sks4.datasets import load_airline

    y = load_airline()[:60]
    model = S4Forecaster(max_horizon=6, context_length=24, kernel="dplr", d_model=8, d_state=4, n_layers=1,
                         max_epochs=2, random_state=0).fit(y)
    pred = model.predict(6)
    assert np.isfinite(pred.to_numpy()).all() and len(pred) == 6
