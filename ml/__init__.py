"""Plain-Python modelling (features, training, explanations); knows nothing of HTTP."""
