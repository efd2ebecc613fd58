"""The completion-handler keys pitch runs store.

Its own module so that the code starting runs (admission) and the handler registered under the
key (evaluation) need not import each other: evaluation re-runs pitches through manual, which
admits through admission, and admission naming the key from evaluation closed that circle.
"""

# Stored on every pitch run: stable, whatever module the handler lives in.
PITCH_EVALUATED = "pipelines.pitch_evaluated"
