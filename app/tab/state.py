"""What the page of one tab watches: one Parameterized of observable values.

The Controller's collaborators (``settings``, ``streams``, the model loader, the
Controller itself) write here; the cards read here (widgets bind to these parameters,
views watch them). Each group below names its one writer, so a value has one place that
decides it. The actions (Start, Stop...) are not values: they are the Controller's.
"""
from __future__ import annotations

import param

from tsvae_core import events as ev
from tsvae_core.config import PRESETS

#: What ``error`` is about: invalid "settings" keep Start off; a new run clears "run" and
#: "data" (a failed run, failed data generation); a loaded model clears "start" and "load".
ERROR_KINDS = ["", "settings", "start", "load", "run", "data"]


class TabState(param.Parameterized):
    """The observable state of one browser tab."""

    # ---- the settings and the lines about them (written by app.tab.settings) ----
    preset = param.Selector(objects=list(PRESETS), default="quick",
                            doc="Load a preset's settings into the widgets.")
    error = param.String("", doc="Invalid settings, a failed run, load or data generation.")
    error_kind = param.Selector(objects=ERROR_KINDS, default="", doc="What ``error`` is about.")
    pending = param.List([], doc="Fields changed since the run was built.")
    typed = param.Dict({}, doc="Values typed into the sidebar and not taken: field -> why.")
    size_summary = param.String("", doc="Windows, their memory and batches an epoch.")
    size_warning = param.String("", doc="Why Start waits for a 'Start anyway' ('' if not).")
    notice = param.String("", doc="Transient information, e.g. busy server.")

    # ---- what the run shows (written by app.tab.streams) ----
    logy = param.Boolean(True, doc="Logarithmic loss axis.")
    recon_index = param.Integer(0, bounds=(0, None), doc="Validation window to reconstruct.")
    n_val = param.Integer(0, doc="Validation windows of the shown data.")
    data_note = param.String("", doc="The shown data's windows, split and reading notes.")
    status = param.String(ev.IDLE)
    message = param.String("")
    device = param.String("")
    epoch = param.Integer(0, doc="Completed epochs.")
    n_epochs = param.Integer(0)
    batch = param.Integer(0)
    n_batches = param.Integer(0)
    samples_per_s = param.Number(0.0)
    elapsed_s = param.Number(0.0)
    knn_accuracy = param.Number(float("nan"))
    health_warning = param.String("", doc="The last epoch's dead-start or collapse warning "
                                  "(tsvae_core.diagnostics), '' when all is well.")
    n_latent_points = param.Integer(0)
    latent_note = param.String("")
    variational = param.Boolean(True, doc="The run's family has a KL term (and a KL curve).")
    loss_units = param.String("per window", doc="What one loss value is: 'per window', or "
                              "'per batch of N windows' for loss_reduction=sum.")
    latent_name = param.String("z_mean", doc="What the latent points are: z_mean or code.")
    family_views = param.List([], doc="Keys of the family's own views (EpochEnd.extras).")
    family_log_keys = param.List([], doc="The family's own log entries (penalty, accuracy...).")
    views_cleared = param.Event(doc="Fired when the plots are cleared (new run, Reset, load).")

    # ---- an uploaded model (written by app.tab.model_loading) ----
    checking_model = param.String("", doc="Name of the .keras file being checked ('' if none).")
    model_checked = param.Event(doc="A check ended: loaded_model or the error line says how.")

    # ---- the run and what may be done now (written by app.tab.controller) ----
    can_start = param.Boolean(True)
    can_pause = param.Boolean(False)
    can_stop = param.Boolean(False)
    can_step = param.Boolean(True)
    can_reset = param.Boolean(True)
    run_id = param.String("", doc="Id of the current run in this tab's run history.")
    runs_changed = param.Event(doc="Fired when a run is added to or updated in the history.")
    loaded_model = param.String("", doc="Name of the .keras file the next run starts from.")

    # ---- the error line (any writer) ----
    def set_error(self, kind: str, text: str) -> None:
        self.param.update(error=text, error_kind=kind)

    def clear_error(self, *kinds: str) -> None:
        """Clear ``error`` if it is of one of ``kinds``; others stay shown."""
        if self.error_kind in kinds:
            self.param.update(error="", error_kind="")

    @property
    def settings_valid(self) -> bool:
        return self.error_kind != "settings"
