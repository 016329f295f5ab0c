"""Per-lead explanations: additive contributions of each input column to the model's raw output.

- logistic regression (log-odds): coefficient x (value - training mean), exactly;
- random forest (probability) and gradient boosting (log-odds): the path decomposition of each
  tree (every split moves the prediction from the parent's value to the child's; that move is
  credited to the split's feature), summed over trees.

In every case ``base + sum(contributions) == raw output`` for each lead, up to rounding.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.tree import BaseDecisionTree


def _tree_operator(
    tree: BaseDecisionTree, n_features: int, *, positive_class: int | None
) -> tuple[sparse.csr_matrix, float]:
    structure = tree.tree_
    values = structure.value[:, 0, :]
    # Regression trees (boosting) hold the value itself; classification trees class proportions.
    node_value = values[:, 0] if positive_class is None else values[:, positive_class] / values.sum(axis=1)
    parent = np.full(structure.node_count, -1)
    for node in range(structure.node_count):
        for child in (structure.children_left[node], structure.children_right[node]):
            if child != -1:
                parent[child] = node
    children = np.nonzero(parent >= 0)[0]
    deltas = node_value[children] - node_value[parent[children]]
    features = structure.feature[parent[children]]
    operator = sparse.csr_matrix((deltas, (children, features)), shape=(structure.node_count, n_features))
    tree._crm_operator = (operator, float(node_value[0]))
    return tree._crm_operator


def contributions(model: object, encoded: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(base per row, contributions per row x encoded feature, raw output per row)."""
    n_rows, n_features = encoded.shape
    if isinstance(model, LogisticRegression):
        mean = getattr(model, "training_mean_", np.zeros(n_features))
        coef = model.coef_[0]
        parts = (encoded - mean) * coef
        base = np.full(n_rows, float(model.intercept_[0] + coef @ mean))
        return base, parts, base + parts.sum(axis=1)
    if isinstance(model, RandomForestClassifier):
        positive = list(model.classes_).index(1)
        parts = np.zeros((n_rows, n_features))
        base_total = 0.0
        for tree in model.estimators_:
            operator, root = _tree_operator(tree, n_features, positive_class=positive)
            parts += np.asarray((tree.decision_path(encoded) @ operator).todense())
            base_total += root
        count = len(model.estimators_)
        base = np.full(n_rows, base_total / count)
        parts /= count
        return base, parts, base + parts.sum(axis=1)
    if isinstance(model, GradientBoostingClassifier):
        parts = np.zeros((n_rows, n_features))
        base_value = float(model._raw_predict_init(encoded[:1])[0, 0])
        for stage in model.estimators_[:, 0]:
            operator, root = _tree_operator(stage, n_features, positive_class=None)
            parts += model.learning_rate * np.asarray((stage.decision_path(encoded) @ operator).todense())
            base_value += model.learning_rate * root
        base = np.full(n_rows, base_value)
        return base, parts, base + parts.sum(axis=1)
    raise TypeError(f"No explanation method for {type(model).__name__}")


def raw_output(model: object, encoded: np.ndarray) -> np.ndarray:
    """The quantity the contributions add up to: log-odds, or probability for a forest."""
    if isinstance(model, RandomForestClassifier):
        return model.predict_proba(encoded)[:, list(model.classes_).index(1)]
    return model.decision_function(encoded)
