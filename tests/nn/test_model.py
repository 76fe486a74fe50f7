"""S4Model: the backbone's two views, masking, parameter groups."""

import pytest
import torch

from sks4.nn import S4Layer, S4Model, ssm_parameter_names

VARIANTS = [("dplr", "bilinear"), ("dplr", "zoh"), ("diag", "zoh"), ("diag", "bilinear")]


def _three_layer_model(kernel, disc):
    """A seeded causal model in eval mode, with step sizes large enough for 60 steps to matter."""
    torch.manual_seed(0)
    return S4Model(3, d_model=16, d_state=8, n_layers=3, kernel=kernel, discretization=disc,
                   dt_min=0.01, dt_max=0.3).eval()


@pytest.mark.parametrize("kernel, disc", VARIANTS)
def test_convolution_equals_recurrence(kernel, disc, run_recurrent):
    model = _three_layer_model(kernel, disc)
    x = torch.randn(2, 3, 60)
    with torch.no_grad():
        y = model(x)
    assert y.shape == (2, 16, 60)
    assert (y - run_recurrent(model, x)).abs().max() <= 1e-4


@pytest.mark.parametrize("kernel", ["dplr", "diag"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_unequal_lengths_equal_each_sequence_alone(kernel, bidirectional):
    torch.manual_seed(0)
    model = S4Model(2, d_model=8, d_state=8, n_layers=2, kernel=kernel, bidirectional=bidirectional,
                    dropout=0.1).eval()
    lengths = [25, 7, 1, 16]
    x = torch.randn(4, 2, 25)
    for i, n in enumerate(lengths):
        x[i, :, n:] = torch.randn(2, 25 - n) * 1e3  # whatever lies in the padding
    with torch.no_grad():
        y = model(x, lengths=torch.tensor(lengths))
        for i, n in enumerate(lengths):
            alone = model(x[i : i + 1, :, :n])[0]
            assert (y[i, :, :n] - alone).abs().max() <= 1e-4
            assert (y[i, :, n:] == 0).all()


def test_training_step_reduces_loss_and_gradients_reach_ssm_parameters():
    torch.manual_seed(0)
    model = S4Model(1, d_model=8, d_state=8, n_layers=2)
    x = torch.randn(8, 1, 40)
    target = torch.nn.functional.pad(x, (3, 0))[..., :40]  # x delayed by 3 steps: needs memory
    head = torch.nn.Conv1d(8, 1, 1)
    params = list(model.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=1e-2)
    losses = []
    for _ in range(80):
        opt.zero_grad()
        loss = (head(model(x)) - target).square().mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    named = dict(model.named_parameters())
    for name in ssm_parameter_names(model):
        assert named[name].grad is not None and named[name].grad.abs().sum() > 0


def test_ssm_parameter_names():
    model = S4Model(1, d_model=4, d_state=4, n_layers=2, kernel="diag")
    names = ssm_parameter_names(model)
    assert len(names) == 2 * 4
    assert all(".kernel." in n for n in names)
    assert not any(n.endswith(".C") for n in names)
    assert set(names) <= set(dict(model.named_parameters()))


def test_long_sequence_and_length_one():
    model = S4Model(1, d_model=4, d_state=4, n_layers=1).eval()
    with torch.no_grad():
        assert model(torch.randn(1, 1, 1)).shape == (1, 4, 1)
        assert model(torch.randn(1, 1, 5000)).shape == (1, 4, 5000)


def test_bad_input():
    model = S4Model(3, d_model=4, d_state=4, n_layers=1).eval()
    with pytest.raises(ValueError, match="has 2 channels"):
        model(torch.randn(1, 2, 5))
    with pytest.raises(ValueError, match="NaN"):
        model(torch.tensor([[[1.0, float("inf")]] * 3]))
    with pytest.raises(ValueError, match="list of 1 tensors"):
        model.step(torch.randn(1, 3), [])
    with pytest.raises(ValueError, match="shape \\(batch, 3\\)"):
        model.step(torch.randn(1, 2), model.default_state(1))
    with pytest.raises(ValueError, match="n_layers"):
        S4Model(3, n_layers=0)


@pytest.mark.parametrize("kernel, disc", VARIANTS)
def test_forward_with_state_then_step_continues_the_sequence(kernel, disc, run_recurrent):
    """Read 50 steps in the convolutional view, step through 10 more: same as forward on all 60 and as 60 steps."""
    model = _three_layer_model(kernel, disc)
    x = torch.randn(2, 3, 60)
    with torch.no_grad():
        whole = model(x)
        features, state = model.forward_with_state(x[..., :50])
        assert (features - whole[..., :50]).abs().max() <= 1e-4
        stepped = []
        for t in range(50, 60):
            y, state = model.step(x[..., t], state)
            stepped.append(y)
    stepped = torch.stack(stepped, -1)
    assert (stepped - whole[..., 50:]).abs().max() <= 1e-4
    assert (stepped - run_recurrent(model, x)[..., 50:]).abs().max() <= 1e-4


def test_forward_with_state_of_a_layer_and_its_errors():
    torch.manual_seed(0)
    layer = S4Layer(4, d_state=8).eval()
    u = torch.randn(2, 4, 30)
    with torch.no_grad():
        y, state = layer.forward_with_state(u)
        assert torch.equal(y, layer(u))
        assert state.shape == layer.default_state(2).shape
    with pytest.raises(RuntimeError, match="eval"):
        S4Layer(4, d_state=8).forward_with_state(u)
    with pytest.raises(ValueError, match="bidirectional"):
        S4Model(2, d_model=4, d_state=4, n_layers=1, bidirectional=True).eval().forward_with_state(torch.randn(1, 2, 5))
    with pytest.raises(ValueError, match="channels"):
        S4Model(2, d_model=4, d_state=4, n_layers=1).eval().forward_with_state(torch.randn(1, 3, 5))


@pytest.mark.parametrize("kernel", ["dplr", "diag"])
def test_step_checks_the_state(kernel):
    model = S4Model(d_input=2, d_model=8, d_state=4, n_layers=1, kernel=kernel).eval()
    with pytest.raises(ValueError, match=r"state has shape \(2, 8, \d\).*needs shape \(3, 8, \d\)"):
        model.step(torch.randn(3, 2), model.default_state(2))
    with pytest.raises(ValueError, match=r"needs shape \(3, 8"):
        model.step(torch.randn(3, 2), model.default_state(1))  # would broadcast in silence
    layer = model.blocks[0].layer
    state = layer.default_state(2)
    with pytest.raises(ValueError, match="dtype torch.complex128"):
        layer.step(torch.randn(2, 8), state.to(torch.complex128))
    with pytest.raises(TypeError, match="must be the tensor returned by default_state"):
        layer.step(torch.randn(2, 8), [state])
    for bad in (-1, 0, 2.0, True):
        with pytest.raises(ValueError, match="batch_size must be a positive integer"):
            model.default_state(bad)
