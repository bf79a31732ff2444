"""What a spec costs when it runs: the Profile tab, the LR finder and the trade-off plot."""
