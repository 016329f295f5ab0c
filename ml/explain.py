"""Per-lead explanations: additive contributions of each input column to the model's raw output.

- logistic regression (log-odds): coefficient x (value - training mean), exactly;
- random forest (probability) and gradient boosting (log-odds): the path decomposition of each
  tree (every split moves the prediction from the parent's value to the child's; that move is
  credited to the split's feature), summed over trees.

In every case ``base + sum(contributions) == raw output`` for each lead, up to rounding.

The per-tree operators depend only on the fitted model, so they are built once per model object
and kept beside it (not on it: a model saved after being explained must not carry them).
"""

from __future__ import annotations

import weakref

import numpy as np
from scipy import sparse
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.tree import BaseDecisionTree

# model -> (operator, base, n_features)
_operators: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _node_operator(
    tree: BaseDecisionTree, n_features: int, *, positive_class: int | None
) -> tuple[sparse.csr_matrix, np.ndarray, float]:
    """(node x feature matrix holding, at each non-root node, the move from its parent's value
    credited to the parent's split feature; parent of every node (-1 at the root); root value)."""
    structure = tree.tree_
    values = structure.value[:, 0, :]
    # Regression trees (boosting) hold the value itself; classification trees class proportions.
    node_value = values[:, 0] if positive_class is None else values[:, positive_class] / values.sum(axis=1)
    parent = np.full(structure.node_count, -1)
    nodes = np.arange(structure.node_count)
    for children in (structure.children_left, structure.children_right):
        split = children != -1
        parent[children[split]] = nodes[split]
    children = np.nonzero(parent >= 0)[0]
    deltas = node_value[children] - node_value[parent[children]]
    features = structure.feature[parent[children]]
    operator = sparse.csr_matrix((deltas, (children, features)), shape=(structure.node_count, n_features))
    return operator, parent, float(node_value[0])


def _path_operator(
    tree: BaseDecisionTree, n_features: int, *, positive_class: int | None
) -> tuple[sparse.csr_matrix, float]:
    """Node x feature matrix whose row for a node is the whole root-to-node decomposition, so a
    row's contributions in a tree are the row of the leaf it lands in."""
    operator, parent, root = _node_operator(tree, n_features, positive_class=positive_class)
    rows, columns = [], []
    node = np.arange(len(parent))
    ancestor = node.copy()
    while True:
        on_path = ancestor > 0  # the root moves nothing
        if not on_path.any():
            break
        rows.append(node[on_path])
        columns.append(ancestor[on_path])
        ancestor = np.where(on_path, parent[np.maximum(ancestor, 0)], -1)
    # A tree that never split (a single leaf) moves nothing: no entries at all.
    rows_all = np.concatenate(rows) if rows else np.zeros(0, dtype=np.intp)
    columns_all = np.concatenate(columns) if columns else np.zeros(0, dtype=np.intp)
    paths = sparse.csr_matrix((np.ones(len(rows_all)), (rows_all, columns_all)), shape=(len(parent), len(parent)))
    return (paths @ operator).tocsr(), root


def _ensemble_operator(
    model: object, trees: list, n_features: int, *, positive_class: int | None, scale: float
) -> tuple[sparse.csr_matrix, np.ndarray, float]:
    """All trees' path operators stacked (scaled), each tree's first row, and the scaled sum of
    the roots' values."""
    cached = _operators.get(model)
    if cached is None or cached[3] != n_features:
        built = [_path_operator(tree, n_features, positive_class=positive_class) for tree in trees]
        blocks = [block for block, _ in built]
        offsets = np.cumsum([0] + [block.shape[0] for block in blocks[:-1]])
        operator = sparse.vstack(blocks, format="csr") * scale
        cached = (operator, offsets, scale * sum(root for _, root in built), n_features)
        _operators[model] = cached
    return cached[0], cached[1], cached[2]


def _leaf_contributions(
    operator: sparse.csr_matrix, offsets: np.ndarray, trees: list, encoded: np.ndarray
) -> np.ndarray:
    """Sum, over trees, of the path decomposition of the leaf each row lands in."""
    # The trees' own low-level apply, in a plain loop: the estimators' parallel apply costs more
    # in thread hand-offs than the work itself when a page explains one lead.
    rows = np.ascontiguousarray(encoded, dtype=np.float32)
    leaves = np.column_stack([tree.tree_.apply(rows) for tree in trees]).astype(np.int64) + offsets
    reached = sparse.csr_matrix(
        (np.ones(leaves.size), leaves.ravel(), np.arange(0, leaves.size + 1, leaves.shape[1])),
        shape=(leaves.shape[0], operator.shape[0]),
    )
    return np.asarray((reached @ operator).todense())


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
        trees = model.estimators_
        operator, offsets, roots = _ensemble_operator(
            model, trees, n_features, positive_class=list(model.classes_).index(1), scale=1 / len(trees)
        )
        parts = _leaf_contributions(operator, offsets, trees, encoded)
        base = np.full(n_rows, roots)
        return base, parts, base + parts.sum(axis=1)
    if isinstance(model, GradientBoostingClassifier):
        trees = list(model.estimators_[:, 0])
        operator, offsets, roots = _ensemble_operator(
            model, trees, n_features, positive_class=None, scale=model.learning_rate
        )
        parts = _leaf_contributions(operator, offsets, trees, encoded)
        base = np.full(n_rows, float(model._raw_predict_init(encoded[:1])[0, 0]) + roots)
        return base, parts, base + parts.sum(axis=1)
    raise TypeError(f"No explanation method for {type(model).__name__}")


def raw_output(model: object, encoded: np.ndarray) -> np.ndarray:
    """The quantity the contributions add up to: log-odds, or probability for a forest."""
    if isinstance(model, RandomForestClassifier):
        return model.predict_proba(encoded)[:, list(model.classes_).index(1)]
    return model.decision_function(encoded)
