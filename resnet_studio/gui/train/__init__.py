"""The Train tab: the settings panel, live curves and the runs table."""
