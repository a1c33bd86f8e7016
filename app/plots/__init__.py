"""Plot functions: arrays (or the loss Buffer's table) in, holoviews elements out; nothing
here knows about sessions, streams or widgets. One module per card family: training
(loss, quality, latent, reconstruction, data), family (each family's own views),
inspection (inspect and probe views), runs (comparison and run table)."""
