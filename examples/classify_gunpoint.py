"""Classify GunPoint with S4Classifier, then reuse its features in a linear model.

Runs offline on the dataset shipped with sks4, in well under a minute on a laptop CPU.

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

# Default hyperparameters; verbose=1 would print skorch's per-epoch table.
clf = S4Classifier(random_state=0)
start = time.perf_counter()
clf.fit(X_train, y_train)
print(f"trained {len(clf.net_.history)} epochs in {time.perf_counter() - start:.1f} s")
print(f"test accuracy: {clf.score(X_test, y_test):.3f}")
print(classification_report(y_test, clf.predict(X_test), digits=3))

# Per-epoch record kept by skorch. With 50 training series, early_stopping="auto" trains on all
# of them for max_epochs (a validation split of 5 series would pick epochs by chance).
history = clf.net_.history
print(f"early stopping: {clf.early_stopping_}; training loss {history[0, 'train_loss']:.3f} at epoch 1, "
      f"{history[-1, 'train_loss']:.3f} at epoch {history[-1, 'epoch']}")

# The pooled S4 features, (n_samples, n_estimators * d_model), feed any scikit-learn model.
features = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
features.fit(clf.transform(X_train), y_train)
print(f"logistic regression on the S4 features: {features.score(clf.transform(X_test), y_test):.3f}")
