"""Design-weighted compliance estimates, intervals, rolling windows and agreement."""
