"""SME digital-transformation maturity assessment."""
