"""scikit-learn's own estimator checks on S4Classifier and S4Regressor, with no expected failures.

The configuration is small so that the checks run in about a minute. Two of its
choices follow from what the checks demand rather than from speed:

* ``dtype="float64"``, ``validation_fraction=None``, ``dropout=0``, no
  training-time augmentation (``augment_scale=0``, ``augment_noise=0``) and
  a batch holding all samples: ``check_sample_weight_equivalence_on_dense_data``
  requires that integer weights give the same predictions (to 1e-7) as
  repeating samples, which full-batch, deterministic training in double
  precision achieves; mini-batches in float32, or random draws per sample
  (a repeated sample gets its own dropout mask and augmentation), cannot.
* ``pooling="last"`` with a causal model reads any linear function of the
  time steps directly, so ``check_regressors_train`` (R² > 0.5 on a tabular
  regression task with one informative column) passes in 40 epochs.

``n_estimators=2`` (not the default 5, for speed) runs every check through the
ensemble's code paths: averaged probabilities and predictions, concatenated
features, one seed per network.
"""

import pytest
import torch
from sklearn.utils.estimator_checks import parametrize_with_checks

from sks4 import S4Classifier, S4Regressor

FAST = dict(
    d_model=16,
    d_state=8,
    n_layers=1,
    kernel="diag",
    bidirectional=False,
    pooling="last",
    dropout=0.0,
    augment_scale=0.0,
    augment_noise=0.0,
    lr=0.02,
    ssm_lr=0.02,
    batch_size=64,
    max_epochs=40,
    n_estimators=2,
    validation_fraction=None,
    dtype="float64",
    device="cpu",
)


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Run torch on one thread: tiny models gain nothing from intra-op threads, and
    oversubscribed threads are very slow on a shared CPU."""
    n_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n_threads)


@parametrize_with_checks([S4Classifier(**FAST), S4Regressor(**FAST)])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
