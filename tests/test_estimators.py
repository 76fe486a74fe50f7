"""Behaviour of S4Classifier / S4Regressor with tiny, fast configurations."""

from __future__ import annotations

import copy
import doctest
import importlib
import io
import pickle
import threading
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
import skorch
from skorch.callbacks import Callback
from skorch.exceptions import DeviceWarning

from sks4 import S4Classifier, S4Regressor
from sks4.nn import ssm_parameter_names

TINY = dict(
    d_model=8, d_state=4, n_layers=1, kernel="diag", n_estimators=1, max_epochs=2, batch_size=16, random_state=0,
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


def make_data(n=40, length=24, channels=None, seed=0):
    """Two classes: a slow and a fast sine, with noise."""
    rng = np.random.RandomState(seed)
    y = np.arange(n) % 2
    t = np.linspace(0, 1, length)
    freq = np.where(y == 1, 4.0, 1.0)[:, None]
    X = np.sin(2 * np.pi * freq * t) + 0.3 * rng.randn(n, length)
    if channels:
        X = np.stack([X * (c + 1) for c in range(channels)], axis=1)  # (n, C, L)
    return X, y


def ragged(n=30, seed=0, channels=2):
    """Series of lengths 5..19 with channels first, and labels."""
    rng = np.random.RandomState(seed)
    X = [rng.randn(channels, rng.randint(5, 20)) for _ in range(n)]
    y = np.array([i % 3 for i in range(n)])
    return X, y


# --------------------------------------------------------------------------- outputs
@pytest.mark.parametrize(
    "labels",
    [np.array(["fast", "slow"]), np.array([3, -1]), np.array([True, False])],
    ids=["str", "int", "bool"],
)
def test_classifier_labels_of_any_type(labels):
    X, y01 = make_data()
    y = labels[y01]
    clf = S4Classifier(**TINY).fit(X, y)
    assert clf.classes_.tolist() == sorted(labels.tolist())
    pred = clf.predict(X)
    assert pred.dtype == y.dtype and set(pred) <= set(labels)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    # columns follow classes_
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], pred)
    assert 0.0 <= clf.score(X, y) <= 1.0


def test_predict_proba_column_order_follows_classes():
    # A model that learned the task well: each class's column must be high for that class.
    X, y01 = make_data(n=60)
    y = np.array(["zebra", "apple"])[y01]
    clf = S4Classifier(**{**TINY, "max_epochs": 30, "d_model": 16}).fit(X, y)
    assert clf.classes_.tolist() == ["apple", "zebra"]
    proba = clf.predict_proba(X)
    assert clf.score(X, y) > 0.9
    assert proba[y == "apple", 0].mean() > 0.5 and proba[y == "zebra", 1].mean() > 0.5


def test_regressor_output_shapes():
    X, _ = make_data()
    y1 = X[:, -3:].mean(axis=1)
    reg = S4Regressor(**TINY).fit(X, y1)
    assert reg.predict(X).shape == (len(X),) and reg.n_outputs_ == 1
    reg.fit(X, y1[:, None])
    assert reg.predict(X).shape == (len(X), 1)
    Y = np.c_[y1, X.std(axis=1)]
    reg.fit(X, Y)
    assert reg.predict(X).shape == (len(X), 2) and reg.n_outputs_ == 2
    assert reg.predict(X).dtype == np.float64
    assert np.isfinite(reg.score(X, Y))


def test_transform_returns_pooled_embedding():
    X, y = make_data()
    for Est in (S4Classifier, S4Regressor):
        est = Est(**TINY).fit(X, y)
        Z = est.transform(X)
        assert Z.shape == (len(X), TINY["d_model"]) and Z.dtype == np.float64
        names = est.get_feature_names_out()
        assert len(names) == TINY["d_model"] and names[0] == f"{Est.__name__.lower()}0"
        # the head is linear in the embedding
        head = est.net_.module_.head
        logits = Z @ head.weight.detach().double().numpy().T + head.bias.detach().double().numpy()
        if Est is S4Classifier:
            np.testing.assert_allclose(np.exp(logits) / np.exp(logits).sum(1, keepdims=True), est.predict_proba(X), rtol=1e-5)


@pytest.mark.parametrize("pooling", ["mean", "last", "max"])
def test_pooling_options(pooling):
    X, y = ragged()
    clf = S4Classifier(**{**TINY, "pooling": pooling}).fit(X, y)
    assert clf.predict_proba(X).shape == (len(X), 3)


# --------------------------------------------------------------------------- augmentation
def test_augmentation_scales_and_jitters_valid_steps_in_training_only():
    from sks4._skorch import S4Network

    torch.manual_seed(0)
    x = torch.randn(64, 2, 30)
    lengths = torch.randint(5, 31, (64,))
    net = S4Network(2, 3, d_model=4, d_state=4, n_layers=1, augment_scale=0.3).train()
    ratio = net.augment(x, lengths) / x  # one factor per series, shared by its channels and steps
    factor = ratio[:, :1, :1]
    torch.testing.assert_close(ratio, factor.expand_as(ratio))
    assert factor.min() >= 0.7 and factor.max() <= 1.3 and factor.std() > 0.1
    net = S4Network(2, 3, d_model=4, d_state=4, n_layers=1, augment_noise=0.5).train()
    noise = net.augment(x, lengths) - x
    valid = (torch.arange(30) < lengths[:, None]).unsqueeze(1).expand_as(x)
    assert torch.all(noise[~valid] == 0)
    assert abs(noise[valid].std().item() - 0.5) < 0.02 and abs(noise[valid].mean().item()) < 0.02
    # eval mode: embed reads the series as they are
    net.eval()
    with torch.no_grad():
        torch.testing.assert_close(net.embed(x, lengths), net.embed(x, lengths))
    with pytest.raises(ValueError, match="augment_scale"):
        S4Network(2, 3, augment_scale=1.5)


def test_augmented_training_is_reproducible_and_predicts_deterministically():
    X, y = make_data()
    params = {**TINY, "augment_scale": 0.3, "augment_noise": 0.1, "max_epochs": 3}
    a = S4Classifier(**params).fit(X, y)
    b = S4Classifier(**params).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_array_equal(a.predict_proba(X), a.predict_proba(X))
    plain = S4Classifier(**{**params, "augment_scale": 0.0, "augment_noise": 0.0}).fit(X, y)
    assert not np.allclose(plain.predict_proba(X), a.predict_proba(X))
    # warm start carries the current augmentation over to the fitted network
    a.set_params(warm_start=True, augment_scale=0.0, augment_noise=0.2).fit(X, y)
    assert a.net_.module_.augment_scale == 0.0 and a.net_.module_.augment_noise == 0.2
    reg = S4Regressor(**params).fit(X, X.mean(axis=1))
    assert reg.net_.module_.augment_noise == 0.1 and np.isfinite(reg.score(X, X.mean(axis=1)))


# --------------------------------------------------------------------------- ensembles
def _member_outputs(net, X, embed=False):
    """One network's logits (or pooled features) for equal-length 2-D ``X``, computed directly."""
    module = net.module_.eval()
    x = torch.as_tensor(X[:, None, :], dtype=torch.float32)
    lengths = torch.full((len(X),), X.shape[1], dtype=torch.int64)
    with torch.no_grad():
        return (module.embed(x, lengths) if embed else module(x, lengths)).double().numpy()


def test_ensemble_averages_differently_initialised_networks():
    X, y = make_data()
    clf = S4Classifier(**{**TINY, "n_estimators": 3}).fit(X, y)
    assert len(clf.nets_) == 3 and clf.net_ is clf.nets_[0]
    assert len({id(net) for net in clf.nets_}) == 3
    firsts = [net.module_.head.weight.detach().clone() for net in clf.nets_]
    assert not torch.equal(firsts[0], firsts[1]) and not torch.equal(firsts[1], firsts[2])
    # probabilities: the mean of the members' softmax outputs; predict: its largest column
    member_proba = []
    for net in clf.nets_:
        logits = _member_outputs(net, X)
        member_proba.append(np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True))
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba, np.mean(member_proba, axis=0), rtol=1e-5, atol=1e-7)
    assert not np.allclose(member_proba[0], member_proba[1])
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    # transform: the members' embeddings side by side
    Z = clf.transform(X)
    assert Z.shape == (len(X), 3 * TINY["d_model"])
    np.testing.assert_allclose(Z[:, 8:16], _member_outputs(clf.nets_[1], X, embed=True), rtol=1e-5, atol=1e-6)
    assert len(clf.get_feature_names_out()) == 24
    # regression: the mean of the members' predictions, in the units of y
    target = 10 * X[:, -3:].mean(axis=1) + 5
    reg = S4Regressor(**{**TINY, "n_estimators": 2}).fit(X, target)
    members = [_member_outputs(net, X)[:, 0] * reg._y_scale[0] + reg._y_shift[0] for net in reg.nets_]
    np.testing.assert_allclose(reg.predict(X), np.mean(members, axis=0), rtol=1e-5)
    assert not np.allclose(members[0], members[1])


def test_first_ensemble_member_is_the_single_network():
    # the first network's seed is that of n_estimators=1: an ensemble extends today's model
    X, y = make_data()
    single = S4Classifier(**TINY).fit(X, y)
    ensemble = S4Classifier(**{**TINY, "n_estimators": 2}).fit(X, y)
    for name, tensor in single.net_.module_.state_dict().items():
        assert torch.equal(tensor, ensemble.nets_[0].module_.state_dict()[name]), name
    assert single.nets_ == [single.net_]


def test_ensemble_warm_start_and_partial_fit():
    X, y = make_data()
    clf = S4Classifier(**{**TINY, "n_estimators": 2, "warm_start": True}).fit(X, y)
    nets = list(clf.nets_)
    clf.fit(X, y)
    assert clf.nets_ == nets and [len(net.history) for net in clf.nets_] == [4, 4]
    with pytest.raises(ValueError, match="n_estimators: 2 -> 3"):
        clf.set_params(n_estimators=3).fit(X, y)
    reg = S4Regressor(**{**TINY, "n_estimators": 2})
    reg.partial_fit(X, X.mean(axis=1)).partial_fit(X, X.mean(axis=1))
    assert [len(net.history) for net in reg.nets_] == [2, 2]


def test_each_network_gets_its_own_copy_of_the_callbacks():
    class Count(Callback):
        def initialize(self):
            self.epochs = 0
            return self

        def on_epoch_end(self, net, **kwargs):
            self.epochs += 1

    counter = Count()
    X, y = make_data()
    clf = S4Classifier(**{**TINY, "n_estimators": 2, "callbacks": [("count", counter)]}).fit(X, y)
    copies = [dict(net.callbacks_)["count"] for net in clf.nets_]
    assert copies[0] is counter and copies[1] is not counter
    assert [c.epochs for c in copies] == [2, 2]


def test_callbacks_that_cannot_be_copied_are_shared_by_the_networks():
    """A callback holding a lock (like a logger's run or a writer) cannot be deep-copied: every network uses it."""

    class Logger(Callback):
        def __init__(self):
            self.lock = threading.Lock()
            self.epochs = 0

        def on_epoch_end(self, net, **kwargs):
            self.epochs += 1

    logger = Logger()
    X, y = make_data()
    clf = S4Classifier(**{**TINY, "n_estimators": 2, "callbacks": [logger]}).fit(X, y)
    assert all(logger in net.callbacks for net in clf.nets_)
    assert logger.epochs == 4  # two epochs of each network


def test_callback_copies_are_taken_before_training():
    class Seen(Callback):
        def __init__(self):
            self.epochs_seen = 0

        def on_epoch_end(self, net, **kwargs):
            self.epochs_seen += 1

    seen = Seen()
    X, y = make_data()
    clf = S4Classifier(**{**TINY, "n_estimators": 2, "callbacks": [("seen", seen)]}).fit(X, y)
    first, second = (dict(net.callbacks_)["seen"] for net in clf.nets_)
    assert first is seen and (first.epochs_seen, second.epochs_seen) == (2, 2)  # the copy started from 0


# --------------------------------------------------------------------------- input formats
def test_input_formats_and_channels():
    X2, y = make_data()
    X3 = np.stack([X2, -X2], axis=1)  # (n, 2, L)
    clf = S4Classifier(**TINY).fit(X3, y)
    assert clf.n_channels_ == 2 and not hasattr(clf, "n_features_in_")
    assert clf.predict(X3[:, :, :10]).shape == (len(y),)  # other lengths are fine for 3-D input
    with pytest.raises(ValueError, match="channel"):
        clf.predict(X2)
    # long-form DataFrame with a (case, timestep) MultiIndex, one column per channel
    idx = pd.MultiIndex.from_product([range(len(y)), range(X3.shape[2])], names=["case", "t"])
    long = pd.DataFrame({"a": X3[:, 0].ravel(), "b": X3[:, 1].ravel()}, index=idx)
    with pytest.warns(UserWarning, match="fitted without feature names"):
        np.testing.assert_allclose(clf.predict_proba(long), clf.predict_proba(X3))
    clf.fit(long, y)
    assert clf.feature_names_in_.tolist() == ["a", "b"]
    # wide DataFrame
    wide = pd.DataFrame(X2, columns=[f"t{i}" for i in range(X2.shape[1])])
    clf.fit(wide, y)
    assert clf.n_features_in_ == X2.shape[1] and clf.feature_names_in_[0] == "t0"
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        np.testing.assert_allclose(clf.predict_proba(wide), clf.predict_proba(X2))


def test_two_d_input_fixes_the_number_of_features():
    X, y = make_data()
    clf = S4Classifier(**TINY).fit(X, y)
    assert clf.n_features_in_ == X.shape[1] and clf.n_channels_ == 1
    with pytest.raises(ValueError, match=f"X has 10 features, but S4Classifier is expecting {X.shape[1]} features"):
        clf.predict(X[:, :10])
    # fitted on a list of series: any length is accepted
    clf.fit(list(X[:, :20]) + list(X[:, :15]), np.r_[y, y])
    assert not hasattr(clf, "n_features_in_")
    assert clf.predict(X[:, :7]).shape == (len(X),)


def test_unequal_lengths_prediction_does_not_depend_on_other_series():
    X, y = ragged()
    clf = S4Classifier(**{**TINY, "bidirectional": True}).fit(X, y)
    alone = np.vstack([clf.predict_proba([x]) for x in X[:6]])
    together = clf.predict_proba(X)[:6]
    np.testing.assert_allclose(alone, together, rtol=1e-6, atol=1e-7)
    # padding another series with a very long one changes nothing either
    long_one = np.random.RandomState(1).randn(2, 200)
    np.testing.assert_allclose(clf.transform([X[0], long_one])[0], clf.transform([X[0]])[0], rtol=1e-6, atol=1e-7)
    # trailing NaN marks padding, as in UEA files
    padded = np.full((2, 2, 40), np.nan)
    padded[0, :, : X[0].shape[1]] = X[0]
    padded[1, :, : X[1].shape[1]] = X[1]
    np.testing.assert_allclose(clf.predict_proba(padded), together[:2], rtol=1e-6, atol=1e-7)


def test_training_is_masked_beyond_each_length():
    # Appending junk after a series' end must not change what the net learns from it.
    X, y = ragged(n=20)
    longer = np.full((20, 2, 40), np.nan)
    for i, x in enumerate(X):
        longer[i, :, : x.shape[1]] = x
    # dropout masks and the jitter's noise are drawn for the padded shape
    params = {**TINY, "dropout": 0.0, "augment_noise": 0.0, "validation_fraction": None}
    a = S4Classifier(**params).fit(X, y).predict_proba(X)
    b = S4Classifier(**params).fit(longer, y).predict_proba(X)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_nan_inside_series_is_rejected_with_advice():
    X, y = make_data()
    X[3, 5] = np.nan
    with pytest.raises(ValueError, match="NaN inside a series"):
        S4Classifier(**TINY).fit(X, y)


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"d_state": 7}, ValueError, "d_state must be even"),
        ({"d_model": 0}, ValueError, "d_model must be an integer >= 1"),
        ({"n_estimators": 0}, ValueError, "n_estimators must be an integer >= 1"),
        ({"n_estimators": 2.0}, TypeError, "n_estimators must be an integer"),
        ({"n_layers": 1.5}, TypeError, "n_layers must be an integer"),
        ({"kernel": "s5"}, ValueError, "kernel must be one of"),
        ({"pooling": "sum"}, ValueError, "pooling must be one of"),
        ({"lr": -1.0}, ValueError, "lr must lie in"),
        ({"ssm_lr": "fast"}, TypeError, "ssm_lr must be a real number"),
        ({"dropout": 1.0}, ValueError, "dropout must lie in"),
        ({"dt_min": 0.0}, ValueError, "dt_min must lie in"),
        ({"dt_max": float("inf")}, ValueError, "dt_max must lie in"),
        ({"dt_min": 0.5, "dt_max": 0.1}, ValueError, "dt_min must not exceed dt_max"),
        ({"augment_scale": 1.0}, ValueError, "augment_scale must lie in"),
        ({"augment_noise": -0.1}, ValueError, "augment_noise must lie in"),
        ({"augment_noise": float("inf")}, ValueError, "augment_noise must lie in"),
        ({"validation_fraction": 1.5}, ValueError, "validation_fraction must lie in"),
        ({"patience": 0}, ValueError, "patience must be an integer >= 1"),
        ({"device": "tpu"}, ValueError, "device must be"),
        ({"dtype": "float16"}, ValueError, "dtype must be one of"),
        ({"bidirectional": "yes"}, TypeError, "bidirectional must be True or False"),
        ({"callbacks": [print]}, TypeError, "callbacks must hold skorch"),
        ({"class_weight": {5: 1.0}}, ValueError, "class"),
    ],
)
def test_invalid_parameters_raise_before_training(params, error, match):
    X, y = make_data()
    clf = S4Classifier(**{**TINY, **params})
    with pytest.raises(error, match=match):
        clf.fit(X, y)
    assert not hasattr(clf, "net_")


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_device_without_cuda_is_a_clear_error():
    X, y = make_data()
    with pytest.raises(ValueError, match="CUDA is not available.*device='auto'"):
        S4Classifier(**{**TINY, "device": "cuda"}).fit(X, y)
    assert S4Classifier(**{**TINY, "device": "auto"}).fit(X, y).net_.device == "cpu"


def test_target_and_weight_errors():
    X, y = make_data()
    with pytest.raises(ValueError, match="at least 2 classes"):
        S4Classifier(**TINY).fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="only one class with non-zero weight"):
        S4Classifier(**TINY).fit(X, y, sample_weight=(y == 1).astype(float))
    with pytest.raises(ValueError, match="sample_weight.shape"):
        S4Classifier(**TINY).fit(X, y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="negative"):
        S4Classifier(**TINY).fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="Unknown label type"):
        S4Classifier(**TINY).fit(X, np.linspace(0, 1, len(X)))
    with pytest.raises(ValueError, match="Input y contains NaN"):
        S4Regressor(**TINY).fit(X, np.full(len(X), np.nan))


def test_small_classes_skip_the_validation_split_with_a_warning():
    X, y = make_data(n=20)
    y = y.copy()
    y[0] = 2  # a class with a single sample cannot be stratified
    with pytest.warns(UserWarning, match="does not allow a stratified validation split"):
        clf = S4Classifier(**TINY, validation_fraction=0.2, early_stopping=True).fit(X, y)
    assert "valid_loss" not in clf.net_.history[-1]
    assert not clf.early_stopping_


# --------------------------------------------------------------------------- training
def test_optimizer_groups_ssm_parameters():
    X, y = make_data()
    clf = S4Classifier(**{**TINY, "n_layers": 2, "kernel": "dplr", "lr": 0.01, "ssm_lr": 0.002, "weight_decay": 0.05})
    clf.fit(X, y)
    module = clf.net_.module_
    ssm = {id(p) for name, p in module.backbone.named_parameters() if name in ssm_parameter_names(module.backbone)}
    assert ssm
    seen = set()
    for group in clf.net_.optimizer_.param_groups:
        kinds = {id(p) in ssm for p in group["params"]}
        assert len(kinds) == 1, "a parameter group mixes SSM and other parameters"
        if kinds == {True}:
            assert group["initial_lr"] == 0.002 and group["weight_decay"] == 0.0
        else:
            assert group["initial_lr"] == 0.01 and group["weight_decay"] == 0.05
        seen |= {id(p) for p in group["params"]}
    assert seen == {id(p) for p in module.parameters()}


def test_cosine_schedule_and_gradient_clipping():
    X, y = make_data()
    clf = S4Classifier(**{**TINY, "max_epochs": 4, "lr": 0.01}).fit(X, y)
    callbacks = dict(clf.net_.callbacks_)
    assert callbacks["gradient_clipping"].gradient_clip_value == 1.0
    lrs = callbacks["lr_schedule"].simulate(4, 0.01)
    np.testing.assert_allclose(lrs, 0.01 * (1 + np.cos(np.pi * np.arange(4) / 4)) / 2)
    assert all(group["lr"] < 0.01 for group in clf.net_.optimizer_.param_groups)


class _Snapshots(Callback):
    """Keep a copy of the weights after every epoch."""

    def initialize(self):
        self.states_ = []
        return self

    def on_epoch_end(self, net, **kwargs):
        self.states_.append(copy.deepcopy(net.module_.state_dict()))


def test_classifier_early_stopping_restores_the_last_best_accuracy_epoch():
    rng = np.random.RandomState(0)
    X, y = rng.randn(60, 24), rng.randint(0, 2, 60)  # noise: validation accuracy soon drops
    snapshots = _Snapshots()
    clf = S4Classifier(
        **{**TINY, "random_state": 1, "max_epochs": 40, "lr": 0.05, "patience": 2, "validation_fraction": 0.25,
           "early_stopping": True, "callbacks": [snapshots]}
    ).fit(X, y)
    history = clf.net_.history
    accuracy = np.asarray(history[:, "valid_acc"])
    assert len(history) < 40, "early stopping should have stopped the run"
    best = int(np.flatnonzero(accuracy == accuracy.max())[-1])  # ties go to the later epoch
    assert len(history) == best + 1 + 2
    for name, tensor in clf.net_.module_.state_dict().items():
        torch.testing.assert_close(tensor, snapshots.states_[best][name])


def test_regressor_early_stopping_restores_the_lowest_validation_loss():
    rng = np.random.RandomState(0)
    X, y = rng.randn(60, 24), rng.randn(60)  # noise: the validation loss soon grows
    snapshots = _Snapshots()
    reg = S4Regressor(
        **{**TINY, "max_epochs": 40, "lr": 0.05, "patience": 3, "validation_fraction": 0.25, "callbacks": [snapshots]}
    ).fit(X, y)
    loss = np.asarray(reg.net_.history[:, "valid_loss"])
    best = int(np.argmin(loss))
    assert len(loss) == best + 1 + 3 < 40
    for name, tensor in reg.net_.module_.state_dict().items():
        torch.testing.assert_close(tensor, snapshots.states_[best][name])


@pytest.mark.parametrize("Estimator", [S4Classifier, S4Regressor])
def test_early_stopping_auto_depends_on_the_size_of_the_validation_split(Estimator):
    rng = np.random.RandomState(0)
    minimum = Estimator._auto_min_validation
    for n_valid, expected in ((minimum - 1, False), (minimum, True)):
        n = 10 * n_valid  # validation_fraction=0.1
        X, y = rng.randn(n, 6), rng.randint(0, 2, n)
        est = Estimator(**{**TINY, "max_epochs": 1}).fit(X, y)
        assert est.early_stopping_ is expected
        assert ("valid_loss" in est.net_.history[-1]) is expected
        trained_on = sum(b["train_batch_size"] for b in est.net_.history[-1, "batches"] if "train_batch_size" in b)
        assert trained_on == (n - n_valid if expected else n)


@pytest.mark.parametrize("Estimator", [S4Classifier, S4Regressor])
def test_early_stopping_true_and_false_override_auto(Estimator):
    X, y = make_data(n=30)
    forced = Estimator(**TINY, early_stopping=True).fit(X, y)
    assert forced.early_stopping_ and "valid_loss" in forced.net_.history[-1]
    off = Estimator(**TINY, early_stopping=False).fit(X, y)
    assert not off.early_stopping_ and "valid_loss" not in off.net_.history[-1]
    with pytest.raises(ValueError, match="early_stopping=True needs a validation split"):
        Estimator(**TINY, early_stopping=True, validation_fraction=None).fit(X, y)
    with pytest.raises(ValueError, match="early_stopping must be 'auto', True or False"):
        Estimator(**TINY, early_stopping="yes").fit(X, y)


def test_verbose_prints_skorch_progress(capsys):
    X, y = make_data()
    S4Classifier(**TINY).fit(X, y)
    assert capsys.readouterr().out == ""
    S4Classifier(**{**TINY, "verbose": 1, "early_stopping": True}).fit(X, y)
    out = capsys.readouterr().out
    assert all(key in out for key in ("train_loss", "valid_loss", "valid_acc", "dur"))


class _Poison(Callback):
    """Corrupt the weights after the first batch, as a diverging run would."""

    def on_batch_end(self, net, **kwargs):
        with torch.no_grad():
            net.module_.head.weight.fill_(float("nan"))


def test_non_finite_loss_raises_with_advice():
    X, y = make_data()
    clf = S4Classifier(**{**TINY, "callbacks": [_Poison()]})
    with pytest.raises(FloatingPointError, match="loss became nan.*Lower `lr`"):
        clf.fit(X, y)
    assert not hasattr(clf, "net_"), "a diverged fit must not leave a fitted model behind"


def test_a_failed_refit_leaves_an_unfitted_estimator():
    X, y = make_data()
    clf = S4Classifier(**TINY).fit(X, y)
    with pytest.raises(FloatingPointError):
        clf.set_params(callbacks=[_Poison()]).fit(X, y)
    with pytest.raises(NotFittedError):
        clf.predict(X)


def test_a_refit_refused_by_validation_leaves_an_unfitted_estimator():
    X, y = make_data()
    clf = S4Classifier(**TINY).fit(X, np.where(y, "a", "b"))
    with pytest.raises(ValueError, match="sample_weight"):
        clf.fit(X, np.where(y, "cat", "dog"), sample_weight=-np.ones(len(y)))
    with pytest.raises(NotFittedError):
        clf.predict(X)  # not the old network under the new labels
    reg = S4Regressor(**TINY).fit(X, np.stack([X.mean(1), X.std(1)], axis=1))
    with pytest.raises(ValueError, match="sample_weight"):
        reg.fit(X[:, None, :], X.mean(1), sample_weight=np.full(len(X), np.nan))
    with pytest.raises(NotFittedError):
        reg.predict(X)
    assert reg.fit(X, X.mean(1)).predict(X).shape == (len(X),)


@pytest.mark.parametrize(
    "class_weight, error, match",
    [
        ({0: -1.0, 1: 1.0}, ValueError, "finite weights >= 0"),
        ({0: np.nan, 1: 1.0}, ValueError, "finite weights >= 0"),
        ({0: "1", 1: 1.0}, ValueError, "finite weights >= 0"),
        ([1.0, 2.0], TypeError, "got list"),
        ("balance", ValueError, "'balanced' or a dict"),
    ],
)
def test_class_weight_is_checked_before_training(class_weight, error, match):
    X, y = make_data()
    clf = S4Classifier(**TINY, class_weight=class_weight)
    with pytest.raises(error, match=match):
        clf.fit(X, y)
    assert not hasattr(clf, "net_")


def test_balanced_class_weight_is_refused_by_partial_fit():
    X, y = make_data()
    with pytest.raises(ValueError, match="'balanced' is not supported by partial_fit"):
        S4Classifier(**TINY, class_weight="balanced").partial_fit(X, y, classes=[0, 1])


@pytest.mark.parametrize("Estimator", [S4Classifier, S4Regressor])
def test_callbacks_monitoring_validation_scores_need_a_split_when_continuing(Estimator):
    X, y = make_data(n=40)
    stopper = skorch.callbacks.EarlyStopping(monitor="valid_loss", patience=3)
    model = Estimator(**TINY, early_stopping=True, callbacks=[stopper]).fit(X, y)
    weights = copy.deepcopy(model.net_.module_.state_dict())
    with pytest.raises(ValueError, match="partial_fit trains on its batch without a validation split"):
        model.partial_fit(X, y)
    assert all(torch.equal(weights[k], v) for k, v in model.net_.module_.state_dict().items())
    with pytest.raises(ValueError, match="early_stopping='auto' resolved to no validation split"):
        model.set_params(warm_start=True, early_stopping="auto").fit(X[:30], y[:30])


def test_a_validation_split_of_zero_weights_turns_early_stopping_off():
    X, y = make_data(n=20)
    weight = np.zeros(len(y))
    weight[0] = 1.0  # every validation series (2 of 20) weighs 0 for this seed
    reg = S4Regressor(**TINY, early_stopping=True)
    with pytest.warns(UserWarning, match="sample_weight 0, so the validation score cannot choose an epoch"):
        reg.fit(X, X.mean(1), sample_weight=weight)
    assert reg.early_stopping_ is False and "valid_loss" not in reg.net_.history[-1]


def test_a_callback_that_needs_validation_is_checked_for_every_network_before_training():
    # network 2's split (not network 1's) holds only zero weights for this seed: refused before any training
    rng = np.random.RandomState(0)
    X, y = rng.randn(10, 8), rng.randn(10)
    weight = np.zeros(10)
    weight[:2] = 1.0
    stopper = skorch.callbacks.EarlyStopping(monitor="valid_loss", patience=1)
    reg = S4Regressor(**{**TINY, "n_estimators": 2, "random_state": 1}, early_stopping=True, validation_fraction=0.2,
                      callbacks=[stopper])
    with pytest.warns(UserWarning, match="sample_weight 0"), pytest.raises(ValueError, match="split was dropped"):
        reg.fit(X, y, sample_weight=weight)
    assert not hasattr(reg, "net_")


def test_float32_warns_when_an_offset_rounds_the_signal_away():
    X, y = make_data()
    with pytest.warns(UserWarning, match="rounded to steps of 8, .* set dtype='float64'"):
        S4Classifier(**TINY).fit(X + 1e8, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        S4Classifier(**TINY, dtype="float64").fit(X + 1e8, y)
        S4Classifier(**TINY).fit(X + 1e3, y)


def test_predict_checks_a_batch_size_set_after_fit():
    X, y = make_data()
    clf = S4Classifier(**TINY).fit(X, y)
    for bad in (0, -4):
        with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
            clf.set_params(batch_size=bad).predict(X)


def test_verbose_accepts_booleans(capsys):
    X, y = make_data()
    S4Classifier(**TINY, verbose=True).fit(X, y)
    assert "train_loss" in capsys.readouterr().out
    S4Classifier(**TINY, verbose=False).fit(X, y)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("Estimator", [S4Classifier, S4Regressor])
def test_callbacks_monitoring_validation_scores_need_a_split(Estimator):
    X, y = make_data(n=30)
    stopper = skorch.callbacks.EarlyStopping(monitor="valid_loss", patience=2)
    with pytest.raises(ValueError, match="monitors 'valid_loss', but training has no validation split"):
        Estimator(**TINY, callbacks=[stopper]).fit(X, y)  # "auto": no split for 30 series
    with pytest.raises(ValueError, match="validation_fraction=None"):
        Estimator(**TINY, validation_fraction=None, callbacks=[stopper]).fit(X, y)
    fitted = Estimator(**TINY, early_stopping=True, callbacks=[stopper]).fit(X, y)
    assert "valid_loss" in fitted.net_.history[-1]


def test_sample_and_class_weight_shift_the_decision():
    X, y = make_data(n=40)
    X = np.random.RandomState(0).randn(*X.shape)  # labels are noise: only weights decide
    params = {**TINY, "max_epochs": 15, "lr": 0.02}
    favour_1 = np.where(y == 1, 50.0, 1.0)
    clf = S4Classifier(**params).fit(X, y, sample_weight=favour_1)
    assert (clf.predict(X) == 1).mean() > 0.8
    clf = S4Classifier(**params, class_weight={0: 50.0, 1: 1.0}).fit(X, y)
    assert (clf.predict(X) == 0).mean() > 0.8
    assert S4Classifier(**params, class_weight="balanced").fit(X, y).predict(X).shape == y.shape


def test_warm_start_and_partial_fit_continue_training():
    X, y = make_data()
    clf = S4Classifier(**{**TINY, "warm_start": True}).fit(X, y)
    weights = copy.deepcopy(clf.net_.module_.state_dict())
    net = clf.net_
    clf.fit(X, y)
    assert clf.net_ is net and len(clf.net_.history) == 4
    changed = any(not torch.equal(weights[k], v) for k, v in clf.net_.module_.state_dict().items())
    assert changed
    clf.set_params(warm_start=False).fit(X, y)
    assert len(clf.net_.history) == 2
    with pytest.raises(ValueError, match="changing the network"):
        clf.set_params(warm_start=True, d_model=16).fit(X, y)

    clf = S4Classifier(**TINY)
    for _ in range(3):
        clf.partial_fit(X[:20], y[:20], classes=[0, 1, 2])
    assert len(clf.net_.history) == 3 and clf.classes_.tolist() == [0, 1, 2]
    clf.partial_fit(X[20:], np.full(20, 2))  # a class announced in the first call
    with pytest.raises(ValueError, match="classes not seen"):
        clf.partial_fit(X, np.full(len(X), 7))
    with pytest.raises(ValueError, match="features"):
        clf.partial_fit(X[:, :5], y)

    reg = S4Regressor(**TINY)
    reg.partial_fit(X, X.mean(axis=1)).partial_fit(X, X.mean(axis=1))
    assert len(reg.net_.history) == 2


def test_warm_start_refuses_new_callbacks_or_device(monkeypatch):
    # The networks keep the callbacks and the device of their first fit: a change must not pass in silence.
    from skorch.callbacks import Callback

    X, y = make_data()
    scoring = Callback()
    clf = S4Classifier(**{**TINY, "warm_start": True, "callbacks": [scoring]}).fit(X, y)
    clf.set_params(callbacks=[scoring]).fit(X, y)  # the same instance in a new list continues
    assert len(clf.net_.history) == 4
    clf = pickle.loads(pickle.dumps(clf))  # identity survives a round-trip
    clf.fit(X, y)
    assert len(clf.net_.history) == 6
    with pytest.raises(ValueError, match="other callbacks"):
        clf.set_params(callbacks=[Callback()]).fit(X, y)
    with pytest.raises(ValueError, match="other callbacks"):
        clf.set_params(callbacks=None).partial_fit(X, y)
    assert len(clf.net_.history) == 6  # refused before any training

    clf = S4Classifier(**{**TINY, "warm_start": True}).fit(X, y)
    monkeypatch.setattr("sks4.estimators._resolve_device", lambda device: "cuda:0")
    with pytest.raises(ValueError, match="trained on 'cpu'"):
        clf.fit(X, y)
    assert len(clf.net_.history) == 2


def test_scalar_sample_weight_is_one_weight_for_every_sample():
    X, y = make_data()
    a = S4Classifier(**TINY).fit(X, y).predict_proba(X)
    b = S4Classifier(**TINY).fit(X, y, sample_weight=2.0).predict_proba(X)
    np.testing.assert_allclose(a, b, atol=1e-6)  # weights are scaled to mean 1: a constant changes nothing
    with pytest.raises(ValueError, match="negative"):
        S4Regressor(**TINY).fit(X, X.mean(axis=1), sample_weight=-1.0)


def test_values_too_large_for_float32_and_huge_targets():
    X, y = make_data()
    with pytest.raises(ValueError, match="too large for float32.*dtype='float64'"):
        S4Classifier(**TINY).fit(X * 1e39, y)
    S4Classifier(**{**TINY, "dtype": "float64"}).fit(X * 1e39, y)  # fine in double precision
    # targets near 1e300: their standard deviation must not overflow to inf
    reg = S4Regressor(**TINY).fit(X, X.mean(axis=1) * 1e300)
    assert np.isfinite(reg.predict(X)).all()
    np.testing.assert_allclose(reg._y_scale, np.std(X.mean(axis=1)) * 1e300, rtol=1e-12)


def test_scoring_callbacks_see_labels_and_probabilities():
    from skorch.callbacks import EpochScoring

    X, y = make_data()
    clf = S4Classifier(**{**TINY, "callbacks": [EpochScoring("accuracy", on_train=True, name="train_acc")]})
    clf.fit(X, np.asarray(["a", "b", "c"])[y])
    acc = clf.net_.history[:, "train_acc"]
    assert len(acc) == 2 and all(0 <= a <= 1 for a in acc)
    inputs = clf._net_inputs(clf._validate_X(X, reset=False), np.arange(len(X)), None)
    proba = clf.net_.predict_proba(inputs)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_array_equal(clf.net_.predict(inputs), proba.argmax(axis=1))
    np.testing.assert_allclose(proba, clf.predict_proba(X), rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------- reproducibility, persistence
def test_same_random_state_same_predictions_and_global_rng_untouched():
    X, y = ragged()
    torch.manual_seed(123)
    state = torch.get_rng_state()
    np_state = np.random.get_state()[1].copy()
    params = {**TINY, "dropout": 0.2, "validation_fraction": 0.2, "max_epochs": 3, "n_estimators": 2}
    a = S4Classifier(**params).fit(X, y).predict_proba(X)
    b = S4Classifier(**params).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    c = S4Classifier(**{**params, "random_state": 1}).fit(X, y).predict_proba(X)
    assert not np.allclose(a, c)
    assert torch.equal(state, torch.get_rng_state())
    np.testing.assert_array_equal(np_state, np.random.get_state()[1])
    r1 = S4Regressor(**params).fit(X, y.astype(float)).predict(X)
    r2 = S4Regressor(**params).fit(X, y.astype(float)).predict(X)
    np.testing.assert_array_equal(r1, r2)


def test_pickle_and_joblib_round_trip(tmp_path):
    X, y = ragged()
    ensemble = {**TINY, "n_estimators": 2}
    for est in (S4Classifier(**ensemble).fit(X, y), S4Regressor(**ensemble).fit(X, y.astype(float))):
        expected = est.predict(X)
        restored = pickle.loads(pickle.dumps(est))
        np.testing.assert_array_equal(restored.predict(X), expected)
        path = tmp_path / "model.joblib"
        joblib.dump(est, path)
        restored = joblib.load(path)
        np.testing.assert_array_equal(restored.predict(X), expected)
        np.testing.assert_array_equal(restored.transform(X), est.transform(X))
        assert restored.net_ is restored.nets_[0]  # one object, pickled once
        # a restored model can keep training
        restored.set_params(warm_start=True).fit(X, y if isinstance(est, S4Classifier) else y.astype(float))


class _TensorFinder(pickle.Pickler):
    """Pickler that records every torch tensor / storage it is asked to pickle."""

    def __init__(self, file):
        super().__init__(file)
        self.found = []

    def persistent_id(self, obj):
        if isinstance(obj, (torch.Tensor, torch.UntypedStorage, torch.TypedStorage)):
            self.found.append(type(obj).__name__)
        return None


@pytest.mark.skipif(torch.cuda.is_available(), reason="simulates a CPU-only machine")
def test_model_saved_on_gpu_loads_on_cpu_only_machine():
    X, y = make_data()
    clf = S4Classifier(**{**TINY, "validation_fraction": 0.2, "n_estimators": 2}).fit(X, y)
    expected = clf.predict_proba(X)
    # 1. Every tensor of the fitted net goes through skorch's device-mapped (torch.load
    #    with map_location) part of the pickle: nothing that could hold CUDA memory is
    #    pickled the plain way, where it could only be restored on a GPU.
    for net in clf.nets_:
        state = net.__getstate__()
        state.pop("__cuda_dependent_attributes__")
        finder = _TensorFinder(io.BytesIO())
        finder.dump(state)
        assert finder.found == []
    estimator_state = {k: v for k, v in clf.__getstate__().items() if k not in ("net_", "nets_")}
    finder = _TensorFinder(io.BytesIO())
    finder.dump(estimator_state)
    assert finder.found == []
    # 2. A net recorded as living on CUDA is mapped to the CPU when CUDA is unavailable.
    for net in clf.nets_:
        net.device = "cuda"
    blob = pickle.dumps(clf)
    with pytest.warns(DeviceWarning):
        restored = pickle.loads(blob)
    assert all(torch.device(net.device).type == "cpu" for net in restored.nets_)
    np.testing.assert_array_equal(restored.predict_proba(X), expected)


# --------------------------------------------------------------------------- scikit-learn tools
def test_clone_gives_an_unfitted_copy_with_the_same_parameters():
    X, y = make_data()
    clf = S4Classifier(**TINY, class_weight="balanced").fit(X, y)
    twin = clone(clf)
    assert twin.get_params() == clf.get_params() and not hasattr(twin, "net_")
    np.testing.assert_array_equal(twin.fit(X, y).predict_proba(X), clf.predict_proba(X))


def test_pipeline_with_scaler():
    X, y = make_data()
    for est, target in ((S4Classifier(**TINY), y), (S4Regressor(**TINY), X.mean(axis=1))):
        pipe = make_pipeline(StandardScaler(), est).fit(X * 100 + 5, target)
        assert pipe.predict(X).shape == (len(X),)
        assert np.isfinite(pipe.score(X * 100 + 5, target))
    # as a feature extractor in the middle of a pipeline
    from sklearn.linear_model import LogisticRegression

    pipe = make_pipeline(S4Classifier(**TINY), LogisticRegression()).fit(X, y)
    assert pipe.predict(X).shape == (len(X),)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_grid_search(n_jobs):
    X, y = make_data()
    grid = GridSearchCV(S4Classifier(**TINY), {"d_model": [4, 8], "pooling": ["mean", "last"]}, cv=2, n_jobs=n_jobs)
    grid.fit(X, y)
    assert set(grid.best_params_) == {"d_model", "pooling"}
    assert grid.predict(X).shape == (len(X),)
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()


def test_cross_val_score():
    X, y = ragged()
    scores = cross_val_score(S4Classifier(**TINY, validation_fraction=0.2), X, y, cv=3)
    assert scores.shape == (3,) and np.isfinite(scores).all()
    scores = cross_val_score(S4Regressor(**TINY), X, y.astype(float), cv=3)
    assert scores.shape == (3,) and np.isfinite(scores).all()


def test_tags():
    clf, reg = S4Classifier(), S4Regressor()
    assert clf.__sklearn_tags__().input_tags.three_d_array
    assert clf.__sklearn_tags__().estimator_type == "classifier"
    assert reg.__sklearn_tags__().target_tags.multi_output
    assert not S4Classifier(device="cpu").__sklearn_tags__().non_deterministic
    assert clf.n_estimators == reg.n_estimators == 5


@pytest.mark.parametrize("module", ["sks4.estimators", "sks4._skorch"])
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


@pytest.mark.parametrize("kernel", ["diag", "dplr"])
def test_step_size_range_reaches_every_ssm(kernel):
    X, y = make_data()
    params = {**TINY, "kernel": kernel, "n_layers": 2, "n_estimators": 2, "max_epochs": 1}
    clf = S4Classifier(**params, dt_min=0.2, dt_max=0.5).fit(X, y)
    for net in clf.nets_:
        kernels = [m for m in net.module_.modules() if hasattr(m, "log_dt")]
        assert len(kernels) == 2
        # drawn in [0.2, 0.5]; one epoch at ssm_lr=0.001 moves log(dt) by a few thousandths at most
        for k in kernels:
            assert (k.dt > 0.19).all() and (k.dt < 0.52).all()


def test_changed_step_sizes_refuse_to_continue_training_and_old_pickles_load():
    X, y = make_data()
    clf = S4Classifier(**TINY, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match=r"dt_max: 1.0 -> 2.0"):
        clf.set_params(dt_max=2.0).fit(X, y)
    # a model pickled before dt_min / dt_max existed: built with S4's range, and continues with it
    clf.set_params(dt_max=1.0)
    legacy = copy.copy(clf)
    legacy._fit_architecture_ = dict(clf._fit_architecture_)
    for name in ("dt_min", "dt_max"):
        delattr(legacy, name)
        del legacy._fit_architecture_[name]
    loaded = pickle.loads(pickle.dumps(legacy))
    assert (loaded.dt_min, loaded.dt_max) == (1e-3, 1e-1)
    assert repr(loaded) and clone(loaded).get_params()["dt_max"] == 1e-1
    loaded.fit(X, y)  # warm start: the legacy range counts as unchanged
    np.testing.assert_array_equal(loaded.predict(X).shape, y.shape)


def test_float64_standardises_at_double_precision():
    # The scaling statistics were copied into float32 buffers before the cast to float64:
    # an offset of 1e10 + 500 left the inputs ~500 standard deviations off, and data near
    # 1e40 (too large for float32, which the float32 error tells to fit with float64) failed.
    rng = np.random.RandomState(1)
    y = np.repeat([0, 1], 40)
    base = rng.randn(80, 30) + np.where(y, 1.0, -1.0)[:, None]
    params = {**TINY, "dtype": "float64", "max_epochs": 30, "dropout": 0.0, "augment_scale": 0.0, "augment_noise": 0.0}
    X = base + (1e10 + 500)
    clf = S4Classifier(**params).fit(X, y)
    shift = clf.net_.module_.input_shift
    assert shift.dtype == torch.float64 and abs(shift.item() - X.mean()) < 1e-3
    assert clf.score(X, y) == S4Classifier(**params).fit(base, y).score(base, y) == 1.0
    huge = 1e40 * (1 + 0.1 * rng.randn(80, 30))
    reg = S4Regressor(**{**params, "max_epochs": 2}).fit(huge, huge.mean(axis=1))
    assert np.isfinite(reg.predict(huge)).all()


def test_lists_of_arrays_take_any_length_even_when_the_training_lengths_agree():
    rng = np.random.RandomState(0)
    y = np.arange(20) % 2
    series = [rng.randn(15) + k for k in y]
    clf = S4Classifier(**TINY).fit(series, y)
    assert not hasattr(clf, "n_features_in_")
    assert clf.predict([rng.randn(10)]).shape == (1,) and len(clf.transform([rng.randn(10)])) == 1
    # a list of equal-length lists is a table, as in scikit-learn: its width is fixed
    table = S4Classifier(**TINY).fit([s.tolist() for s in series], y)
    assert table.n_features_in_ == 15
    with pytest.raises(ValueError, match="expecting 15 features"):
        table.predict([rng.randn(10).tolist()])


def test_partial_fit_declared_classes_allow_a_weighted_one_class_batch():
    X, _ = make_data(n=10)
    zeros = np.zeros(10, dtype=int)
    clf = S4Classifier(**TINY).partial_fit(X, zeros, classes=[0, 1], sample_weight=np.ones(10))
    assert clf.classes_.tolist() == [0, 1]
    S4Classifier(**{**TINY, "class_weight": {0: 1.0, 1: 2.0}}).partial_fit(X, zeros, classes=[0, 1])
    # fit still needs two classes with weight
    with pytest.raises(ValueError, match="only one class with non-zero weight"):
        S4Classifier(**TINY).fit(X, np.arange(10) % 2, sample_weight=np.arange(10) % 2)


def test_partial_fit_with_other_classes_later_is_an_error():
    X, y = make_data()
    clf = S4Classifier(**TINY).partial_fit(X, y, classes=[0, 1, 2])
    clf.partial_fit(X, y, classes=[2, 1, 0])  # the same classes, in any order
    clf.partial_fit(X, y)
    with pytest.raises(ValueError, match="differs from the classes of the first partial_fit call"):
        clf.partial_fit(X, y, classes=[0, 1])


def test_the_cosine_schedule_clones_and_checks_its_length():
    from sks4._skorch import CosineSchedule

    schedule = clone(CosineSchedule(7))
    assert schedule.get_params() == {"n_epochs": 7, "event_name": None}
    X, y = make_data()
    clf = clone(S4Classifier(**TINY, callbacks=[("restart", CosineSchedule(3))]))  # as GridSearchCV does
    assert len(clf.fit(X, y).net_.history) == 2
    for bad in (0, -1, 2.5):
        with pytest.raises(ValueError, match="n_epochs must be an integer >= 1"):
            CosineSchedule(bad)
    schedule.set_params(n_epochs=0)
    with pytest.raises(ValueError, match="n_epochs must be an integer >= 1"):
        schedule.kwargs  # checked again when the cycle is built


def test_the_network_checks_its_inputs_before_standardising_them():
    from sks4._skorch import S4Network

    net = S4Network(d_input=2, n_outputs=3, d_model=8, d_state=4, n_layers=1)
    with pytest.raises(ValueError, match="x has 3 channels on axis 1, the module expects 2"):
        net(torch.randn(2, 3, 10), torch.tensor([10, 5]))
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        net(np.zeros((2, 2, 10)), torch.tensor([10, 5]))
    with pytest.raises(ValueError, match="lengths must be a tensor or sequence of integers"):
        net(torch.randn(2, 2, 10), None)
    assert net(torch.randn(2, 2, 10), [10, 5]).shape == (2, 3)
    with pytest.raises(TypeError, match="augment_scale must be a real number"):
        S4Network(d_input=2, n_outputs=3, augment_scale="0.1")
    with pytest.raises(ValueError, match="n_outputs must be a positive integer"):
        S4Network(d_input=2, n_outputs=0)


def test_numpy_integers_from_a_grid_are_integers():
    X, y = make_data()
    grid = GridSearchCV(S4Classifier(**TINY), {"batch_size": np.arange(8, 17, 8)}, cv=2, error_score="raise")
    assert grid.fit(X, y).best_params_["batch_size"] in (8, 16)
