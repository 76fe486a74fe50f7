import pytest
import torch


def _run_recurrent(module, x):
    """Step through x (B, C, L) with module.step and stack the outputs to (B, C', L)."""
    state = module.default_state(x.shape[0])
    ys = []
    with torch.no_grad():
        for t in range(x.shape[-1]):
            y, state = module.step(x[:, :, t], state)
            ys.append(y)
    return torch.stack(ys, dim=-1)


@pytest.fixture
def run_recurrent():
    return _run_recurrent
