"""The window: a thin Qt face over the core (and, later, the trainer); it computes nothing."""
