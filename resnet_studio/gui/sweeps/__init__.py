"""The Sweeps tab: a storage's sweeps, their trials, EDFs and workers."""
