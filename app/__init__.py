"""tsvae dashboard: a Panel app that trains a time-series VAE and shows it learning."""
