"""One browser tab's logic, without widgets: ``controller`` (the actions and the run's
lifecycle; it holds the rest), ``state`` (the observable values the cards watch),
``settings`` (the configs, their validity, a large run's confirmation), ``streams`` (what
the page shows of the run: plot streams and figures), ``polling`` (a run's events into its
record), ``model_loading`` (an uploaded model checked off the event loop), ``preview``
(the data before a run), ``url_sync`` (the address bar follows the settings) and
``requested_settings`` (settings asked for by the URL or the environment), ``history``
(the per-epoch table), ``projection`` (the latent plot's 2-D view), ``data_size`` and
``epoch_estimate`` (what a run will cost, said before Start)."""
