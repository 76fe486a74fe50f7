"""S4Layer: convolutional view == recurrent view, masking, input checks."""

import copy
import pickle

import numpy as np
import pytest
import torch

from sks4.nn import S4Layer

VARIANTS = [("dplr", "bilinear"), ("dplr", "zoh"), ("diag", "zoh"), ("diag", "bilinear")]


@pytest.mark.parametrize("kernel, disc", VARIANTS)
def test_convolution_equals_recurrence(kernel, disc, run_recurrent):
    torch.manual_seed(0)
    layer = S4Layer(8, d_state=16, kernel=kernel, discretization=disc, dt_min=0.01, dt_max=0.3).eval()
    x = torch.randn(3, 8, 80)
    with torch.no_grad():
        y = layer(x)
    assert (y - run_recurrent(layer, x)).abs().max() <= 1e-4


def test_step_cache_follows_parameter_updates(run_recurrent):
    torch.manual_seed(0)
    layer = S4Layer(4, d_state=8).eval()
    x = torch.randn(2, 4, 20)
    run_recurrent(layer, x)  # fills the cache
    opt = torch.optim.SGD(layer.parameters(), lr=0.1)
    layer(x).square().sum().backward()
    opt.step()
    with torch.no_grad():
        y = layer(x)
    assert (y - run_recurrent(layer, x)).abs().max() <= 1e-4


def test_step_cache_follows_writes_through_data_and_survives_inference_mode(run_recurrent):
    # .data writes (EMA, clipping, older optimizers) do not bump tensor versions; the cache
    # used to keep the old system (step vs forward: 0.15 off after log_dt.data.add_(1)).
    torch.manual_seed(0)
    layer = S4Layer(2, d_state=4).eval()
    x = torch.randn(1, 2, 6)
    run_recurrent(layer, x)
    layer.kernel.log_dt.data.add_(1.0)
    with torch.no_grad():
        assert (layer(x) - run_recurrent(layer, x)).abs().max() <= 1e-5
    # a first step under inference_mode must not leave inference tensors for later autograd use
    fresh = S4Layer(2, d_state=4).eval()
    with torch.inference_mode():
        fresh.step(torch.randn(1, 2), fresh.default_state(1))
    u = torch.randn(1, 2, requires_grad=True)
    y, _ = fresh.step(u, fresh.default_state(1))
    y.sum().backward()
    assert u.grad is not None


@pytest.mark.parametrize("L", [1, 2, 3, 127, 1000])
def test_any_length(L):
    layer = S4Layer(4, d_state=8)
    assert layer(torch.randn(2, 4, L)).shape == (2, 4, L)


@pytest.mark.parametrize("kernel", ["dplr", "diag"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_padding_never_leaks(kernel, bidirectional):
    torch.manual_seed(0)
    layer = S4Layer(4, d_state=8, kernel=kernel, bidirectional=bidirectional).eval()
    x = torch.randn(2, 4, 30)
    x[1, :, 12:] = 50.0  # garbage in the padding
    with torch.no_grad():
        y = layer(x, lengths=torch.tensor([30, 12]))
        alone = layer(x[1:, :, :12])
        # huge padding: it must not reach the valid steps through the FFT's rounding either
        # (the causal layer masked only its output and let 1e6 through as ~0.03)
        x[1, :, 12:] = 1e6
        y_huge = layer(x, lengths=torch.tensor([30, 12]))
    assert (y[1, :, :12] - alone[0]).abs().max() <= 1e-5
    assert torch.equal(y_huge[1], y[1])
    assert (y[1, :, 12:] == 0).all()


def test_bidirectional_reads_the_future():
    torch.manual_seed(0)
    layer = S4Layer(2, d_state=4, bidirectional=True).eval()
    x = torch.randn(1, 2, 10)
    x2 = x.clone()
    x2[..., -1] += 1.0
    with torch.no_grad():
        assert (layer(x)[..., 0] - layer(x2)[..., 0]).abs().max() > 0
    causal = S4Layer(2, d_state=4).eval()
    with torch.no_grad():
        assert torch.allclose(causal(x)[..., :-1], causal(x2)[..., :-1], atol=1e-6)
    assert layer.kernel(10).shape == (4, 10)


def test_float64_and_deepcopy_and_pickle(run_recurrent):
    layer = S4Layer(3, d_state=4).double().eval()
    x = torch.randn(1, 3, 9, dtype=torch.float64)
    y = layer(x)
    assert y.dtype == torch.float64
    for clone in (copy.deepcopy(layer), pickle.loads(pickle.dumps(layer))):
        assert torch.equal(clone(x), y)
        assert torch.allclose(run_recurrent(clone, x), y, atol=1e-10)


@pytest.mark.parametrize(
    "x, lengths, match",
    [
        (torch.randn(4, 10), None, "shape \\(batch, channels=4, length\\)"),
        (torch.randn(2, 3, 10), None, "has 3 channels"),
        (torch.randn(2, 4, 0), None, "empty"),
        (torch.full((2, 4, 5), float("nan")), None, "NaN or infinite"),
        (torch.randn(2, 4, 5, dtype=torch.float64), None, "dtype"),
        (torch.randn(2, 4, 5), torch.tensor([5, 6]), "lengths must lie in"),
        (torch.randn(2, 4, 5), torch.tensor([5]), "lengths must have shape"),
        (torch.randn(2, 4, 5), torch.tensor([5.0, 2.0]), "integers"),
    ],
)
def test_bad_input(x, lengths, match):
    layer = S4Layer(4, d_state=4)
    with pytest.raises(ValueError, match=match):
        layer(x, lengths)


def test_not_a_tensor():
    with pytest.raises(TypeError, match="torch.Tensor"):
        S4Layer(2, d_state=4)([[1.0, 2.0]])


def test_step_misuse():
    layer = S4Layer(2, d_state=4)
    with pytest.raises(RuntimeError, match="eval"):
        layer.default_state(1)
    with pytest.raises(ValueError, match="causal"):
        S4Layer(2, d_state=4, bidirectional=True).eval().default_state(1)
    layer.eval()
    state = layer.default_state(1)
    with pytest.raises(ValueError, match="shape \\(batch, 2\\)"):
        layer.step(torch.randn(1, 3), state)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"kernel": "s5"}, "kernel must be one of"),
        ({"d_state": 3}, "d_state must be even"),
        ({"dropout": 1.5}, "dropout"),
        ({"kernel": "dplr", "init": "diag-lin"}, "HiPPO-LegS"),
    ],
)
def test_bad_construction(kwargs, match):
    with pytest.raises(ValueError, match=match):
        S4Layer(4, **kwargs)


@pytest.mark.parametrize("kernel", ["dplr", "diag"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_batch_chunks_give_the_same_outputs_and_gradients(monkeypatch, kernel, bidirectional):
    from sks4.nn import functional

    torch.manual_seed(0)
    layer = S4Layer(4, 8, kernel=kernel, bidirectional=bidirectional).double()
    u = torch.randn(5, 4, 30, dtype=torch.float64, requires_grad=True)
    lengths = torch.tensor([30, 12, 30, 1, 25])

    def run():
        layer.zero_grad()
        y = layer(u, lengths)
        grads = torch.autograd.grad((y * y).sum(), [u, *layer.parameters()])
        return y.detach(), grads

    y_whole, g_whole = run()
    monkeypatch.setattr(functional, "_BATCH_CHUNK_BYTES", 1)  # one sequence at a time
    y_chunked, g_chunked = run()
    torch.testing.assert_close(y_chunked, y_whole, rtol=0, atol=1e-12)
    for got, expected in zip(g_chunked, g_whole):
        torch.testing.assert_close(got, expected, rtol=0, atol=1e-10)


def test_half_precision_under_autocast_and_clear_advice_otherwise():
    torch.manual_seed(0)
    first, second = S4Layer(4, d_state=8), S4Layer(4, d_state=8)
    x = torch.randn(2, 4, 20)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        y = second(first(x))  # the GLU's product is bfloat16: the next layer takes it
        first.eval()
        out, _ = first.step(x[..., 0].bfloat16(), first.default_state(2))
    assert y.shape == (2, 4, 20) and torch.isfinite(y.float()).all() and out.shape == (2, 4)
    with pytest.raises(ValueError, match=r"cast the input with u.to\(torch.float32\) .*torch.autocast"):
        first(x.bfloat16())
    with pytest.raises(ValueError, match=r"u.to\(torch.float32\) \(integer"):
        first(x.long())


def test_bad_lengths_for_the_kernels_and_sizes_are_named():
    for kernel in ("dplr", "diag"):
        k = S4Layer(2, d_state=4, kernel=kernel).kernel
        for L in (-3, 0, 2.5, True):
            with pytest.raises(ValueError, match="L must be a positive integer"):
                k(L)
        L = torch.tensor(5)
        assert k(L).shape == (2, 5) and L.item() == 5  # a 0-d integer tensor, left unchanged
    with pytest.raises(ValueError, match="d_model must be a positive integer, got -1"):
        S4Layer(-1, bidirectional=True)


@pytest.mark.filterwarnings("ignore:torch.is_autocast_cpu_enabled")
def test_autocast_check_works_on_torch_before_2_4(monkeypatch):
    # torch.is_autocast_enabled() took no device type before torch 2.4
    import sks4.nn._checks as checks

    def old_signature():
        return False

    monkeypatch.setattr(torch, "is_autocast_enabled", old_signature)
    with pytest.raises(ValueError, match="torch.autocast"):
        checks.check_sequence(torch.zeros(1, 2, 3, dtype=torch.bfloat16), 2, torch.float32, "u")
    with pytest.raises(ValueError, match="integer, boolean and complex inputs"):
        checks.check_sequence(torch.zeros(1, 2, 3, dtype=torch.complex64), 2, torch.float32, "u")


@pytest.mark.parametrize("dropout", ["0.1", None, torch.tensor([0.1])])
def test_non_numeric_dropout_is_a_type_error(dropout):
    with pytest.raises(TypeError, match="dropout must be a real number"):
        S4Layer(4, 4, dropout=dropout)


@pytest.mark.parametrize("lengths", [[5, None], "ab", [[1, 2]]])
def test_lengths_that_are_not_integers_are_refused_clearly(lengths):
    layer = S4Layer(4, 4)
    with pytest.raises(ValueError, match="lengths must"):
        layer(torch.randn(2, 4, 5), lengths)


def test_forward_with_state_names_itself_in_train_mode():
    with pytest.raises(RuntimeError, match=r"forward_with_state\(\) belongs to the inference view.*\.eval\(\)"):
        S4Layer(4, 4).forward_with_state(torch.randn(1, 4, 5))


@pytest.mark.parametrize("flag", ["no", 1, None])
def test_bidirectional_must_be_a_boolean(flag):
    with pytest.raises(TypeError, match="bidirectional must be True or False"):
        S4Layer(4, 4, bidirectional=flag)
    assert S4Layer(4, 4, bidirectional=np.bool_(True)).bidirectional is True
