"""The statistics: survival, log-rank, competing risks, Cox, proportions, accuracy, propensity, Table 1. No display code."""
