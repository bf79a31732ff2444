"""Charts shared by the tabs: per-stage bars, hover, legends and figure export."""
