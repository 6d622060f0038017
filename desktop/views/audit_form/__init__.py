"""The dip-sample form: built from the audit's template version, saved as it is typed.

Modules: ``form`` (the form itself), ``fields`` (one question's controls), ``autosave``
(debounced, serialised saves), ``disagreement_panel``, ``escalation_panel``,
``actions_grid``, ``comments_panel`` (after submission).
"""
