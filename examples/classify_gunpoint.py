"""Classify GunPoint with S4Classifier, then reuse its features in a linear model.

Runs offline on the dataset shipped with sks4, in about a minute on a laptop CPU.

    python examples/classify_gunpoint.py
"""

import time

from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sks4 import S4Classifier
from sks4.datasets import load_gunpoint

X_train, y_train = load_gunpoint(split="train")  # (50, 150): 50 univariate series of length 150
X_test, y_test = load_gunpoint(split="test")  # (150, 150)

# A smaller network than the default trains faster and does as well on 50 series.
clf = S4Classifier(d_model=32, n_layers=2, max_epochs=100, random_state=0, verbose=0)
start = time.perf_counter()
clf.fit(X_train, y_train)
print(f"trained {len(clf.net_.history)} epochs in {time.perf_counter() - start:.1f} s")
print(f"test accuracy: {clf.score(X_test, y_test):.3f}")
print(classification_report(y_test, clf.predict(X_test), digits=3))

# Per-epoch record kept by skorch: losses on the training and validation splits.
history = clf.net_.history
best = min(history, key=lambda epoch: epoch["valid_loss"])
print(f"best validation loss {best['valid_loss']:.4f} at epoch {best['epoch']} (its weights were restored)")

# The pooled S4 features (n_samples, d_model) feed any scikit-learn model.
features = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
features.fit(clf.transform(X_train), y_train)
print(f"logistic regression on the S4 features: {features.score(clf.transform(X_test), y_test):.3f}")
