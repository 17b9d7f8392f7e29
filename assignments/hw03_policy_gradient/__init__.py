"""hw03: policy-based methods: the cross-entropy method and REINFORCE with categorical and Gaussian policies."""
