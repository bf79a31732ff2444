"""Compare: several architectures side by side, as a table, diagrams and charts."""
